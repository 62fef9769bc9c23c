"""bench/api.py under load: gunicorn with sync workers loaded by wrk, the CPU each process
spent, and the table of results."""

import json
import os
import random
import re
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from api_in_process import CONSTANT, PLAIN, REAL
from api_setup import ROOT, run_quiet

VAR = ROOT / "var" / "apibench"
WRK_SCRIPT = Path(__file__).resolve().parent / "api_wrk.lua"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, headers=None):
    """(status, headers, body) without raising on 304 or errors."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (our own local server)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def start_gunicorn(args, env, port):
    VAR.mkdir(parents=True, exist_ok=True)
    log = VAR / "gunicorn.log"
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi",
        "-w",
        str(args.workers),
        "-k",
        "sync",
        "-b",
        f"127.0.0.1:{port}",
        "--error-logfile",
        str(log),
        "--chdir",
        str(ROOT),
    ]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, start_new_session=True)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        if process.poll() is not None:
            sys.exit(f"gunicorn exited ({process.returncode}); see {log}")
        try:
            status, _, body = get(base + "/healthz")
            if status == 200:
                return process, base
        except OSError:
            pass
        time.sleep(0.25)
    process.terminate()
    sys.exit(f"gunicorn did not answer /healthz; see {log}")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def cpu_seconds(pids):
    """{pid: user + system CPU seconds} of the processes that still exist."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return found


def pids_named(name):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def worker_pids(master):
    try:
        return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def busy_seconds():
    """CPU seconds the whole machine spent busy (all but idle and iowait), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(master):
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "gunicorn": cpu_seconds(worker_pids(master)),
        "postgres": cpu_seconds(pids_named("postgres")),
        "redis": cpu_seconds(pids_named("redis-server")),
        "wrk": {0: children.ru_utime + children.ru_stime},
        "machine": {0: busy_seconds()},
    }


def cpu_used(before, after):
    """CPU seconds per group between two snapshots (a process that started since counts from zero)."""
    used = {name: sum(t - before[name].get(pid, 0.0) for pid, t in after[name].items()) for name in after}
    used["others"] = max(0.0, used.pop("machine") - sum(used.values()))
    return used


def wrk(args, base, paths_file, key, duration, master):
    env = {**os.environ, "BENCH_PATHS": str(paths_file), "BENCH_AUTH": key or ""}
    command = ["wrk", "-t", str(args.threads), "-c", str(args.clients), "-d", f"{duration}s", "--latency"]
    command += ["--timeout", "10s", "-s", str(WRK_SCRIPT), base]
    before = cpu_snapshot(master)
    output = run_quiet(command, env=env)
    after = cpu_snapshot(master)
    line = next((line for line in output.stdout.splitlines() if line.startswith("BENCH ")), None)
    if line is None:
        sys.exit(f"wrk failed:\n{output.stdout}\n{output.stderr}")
    result = {name: float(value) for name, value in re.findall(r"(\w+)=([0-9.]+)", line)}
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["cpu"] = cpu_used(before, after)
    return result


def write_paths(name, lines):
    path = VAR / f"wrk-{name}.txt"
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def sanity(base, raw_key, demand_ids):
    """One request per endpoint: status, page length, and the same matches in the same order."""
    auth = {"Authorization": f"Bearer {raw_key}"}
    demand = demand_ids[len(demand_ids) // 2]
    status, headers, body = get(f"{base}{REAL}?demand={demand}", auth)
    real = json.loads(body) if status == 200 else {}
    print(f"real endpoint: {status}, ETag {headers.get('ETag')!r}, {len(real.get('results', []))} results")
    if real.get("results"):
        print(f"  first result: {json.dumps(real['results'][0], ensure_ascii=False)[:400]}")
    status_plain, _, body = get(f"{base}{PLAIN}?demand={demand}")
    plain = json.loads(body) if status_plain == 200 else {}
    same = [r["id"] for r in real.get("results", [])] == [r["id"] for r in plain.get("results", [])]
    count = len(plain.get("results", []))
    print(f"plain view: {status_plain}, {count} results, same matches in the same order: {same}")
    if headers.get("ETag"):
        status_again, _, _ = get(f"{base}{REAL}?demand={demand}", {**auth, "If-None-Match": headers["ETag"]})
        print(f"real endpoint with If-None-Match: {status_again}")
    status, _, _ = get(f"{base}{REAL}?demand={demand}")
    print(f"real endpoint without a key: {status}")


def prime(base, raw_key, demand_ids):
    """Ask every demand's first page once, so that the warm runs find every page the view caches."""
    auth = {"Authorization": f"Bearer {raw_key}"}
    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda demand: get(f"{base}{REAL}?demand={demand}", auth)[0], demand_ids))
    ok = statuses.count(200)
    print(f"primed: every demand's page asked once ({ok} of {len(statuses)} answered 200) in ", end="")
    print(f"{time.perf_counter() - started:.1f} s")


def etag_paths(base, raw_key, demand_ids, rng, count=200):
    lines = []
    for demand in rng.sample(demand_ids, min(count, len(demand_ids))):
        path = f"{REAL}?demand={demand}"
        status, headers, _ = get(base + path, {"Authorization": f"Bearer {raw_key}"})
        if status == 200 and headers.get("ETag"):
            lines.append(f"{path}\t{headers['ETag']}")
    return lines


def forget_pages(url):
    """Delete the pages the match list cached (keys ``*api-matches:*``), so that the cold pass starts cold."""
    import redis

    connection = redis.Redis.from_url(url)
    keys = list(connection.scan_iter(match="*api-matches:*", count=1000))
    for start in range(0, len(keys), 1000):
        connection.delete(*keys[start : start + 1000])
    connection.close()


def load(args, env, raw_key, demand_ids):
    rng = random.Random(args.seed + 2)
    port = free_port()
    runs = set(args.runs.split(","))
    real_paths = write_paths("real", [f"{REAL}?demand={d}" for d in demand_ids])
    miss_paths = write_paths("miss", [f"{REAL}?demand={d}&n=NONCE" for d in demand_ids])
    plain_paths = write_paths("plain", [f"{PLAIN}?demand={d}" for d in demand_ids])
    constant_paths = write_paths("constant", [CONSTANT])
    forget_pages(args.redis_url)
    process, base = start_gunicorn(args, env, port)
    results = []
    try:
        print(f"\ngunicorn: {args.workers} sync workers at {base}; ", end="")
        print(f"wrk -t {args.threads} -c {args.clients} -d {args.duration}s")

        def measure(label, paths, key):
            result = wrk(args, base, paths, key, args.duration, process.pid)
            result["label"] = label
            results.append(result)
            print(f"  {label}: {result['rps']:.0f} requests/s, p95 {result['p95'] / 1000:.0f} ms")
            return result

        if "cold" in runs:
            measure("real, cold (first pass)", real_paths, raw_key)
        sanity(base, raw_key, demand_ids)
        prime(base, raw_key, demand_ids)
        for round_number in range(1, args.rounds + 1):
            suffix = f" (round {round_number})" if args.rounds > 1 else ""
            if "real" in runs:
                measure(f"real, warm{suffix}", real_paths, raw_key)
            if "plain" in runs:
                wrk(args, base, plain_paths, None, args.warmup, process.pid)
                measure(f"plain DRF ListAPIView{suffix}", plain_paths, None)
        if "miss" in runs:
            measure("real, every URL new (no cached page)", miss_paths, raw_key)
        if "constant" in runs:
            wrk(args, base, constant_paths, None, args.warmup, process.pid)
            measure("constant JSON", constant_paths, None)
        if "not-modified" in runs:
            lines = etag_paths(base, raw_key, demand_ids, rng)
            if lines:
                measure("real, If-None-Match (304)", write_paths("not-modified", lines), raw_key)
            else:
                print("  not-modified: skipped, the real endpoint gave no ETag")
    finally:
        stop(process)
    return results


def report(args, results):
    header = (
        "| endpoint | requests/s | p50 ms | p95 ms | p99 ms | max ms | 2xx | 304 | other "
        "| CPU ms/request: gunicorn, PostgreSQL, Redis, wrk | other processes, % of all cores |"
    )
    print("\n" + header)
    print("|" + "---|" * header.count(" | ") + "---|")
    for r in results:
        n = max(r["requests"], 1)
        errors = int(r["connect"] + r["read"] + r["write"] + r["timeout"])
        other = int(r["other"]) + errors
        cpu = ", ".join(f"{1000 * r['cpu'][name] / n:.1f}" for name in ("gunicorn", "postgres", "redis", "wrk"))
        others = 100 * r["cpu"]["others"] / (os.cpu_count() * r["duration_us"] / 1e6)
        print(
            f"| {r['label']} | {r['rps']:.0f} | {r['p50'] / 1000:.1f} | {r['p95'] / 1000:.1f} | {r['p99'] / 1000:.1f} "
            f"| {r['max'] / 1000:.0f} | {int(r['ok'])} | {int(r['not_modified'])} | {other} | {cpu} | {others:.0f} |"
        )
    reals = [r for r in results if r["label"].startswith("real, warm")]
    plains = [r for r in results if r["label"].startswith("plain DRF")]
    if reals and plains:
        for real, plain in zip(reals, plains, strict=False):
            print(f"\n{real['label']} / {plain['label']}: {real['rps'] / plain['rps']:.2f}× requests/s", end="")
        ratio = statistics.median(r["rps"] for r in reals) / statistics.median(r["rps"] for r in plains)
        p95 = statistics.median(r["p95"] for r in reals) / 1000
        rounds = f" (medians of {len(reals)} rounds)" if len(reals) > 1 else ""
        met = "met" if ratio >= 3 else "NOT met"
        print(f"\nreal (warm) / plain{rounds}: {ratio:.2f}× requests/s (target ≥ 3×: {met})")
        print(f"real (warm) p95{rounds}: {p95:.0f} ms (target ≤ 150 ms: {'met' if p95 <= 150 else 'NOT met'})")

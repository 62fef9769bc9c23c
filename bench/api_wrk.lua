-- wrk script for bench/api.py: a random request from a list each time, with an optional key.
--
--   BENCH_PATHS=FILE BENCH_AUTH=KEY wrk -t 2 -c 50 -d 20s --latency -s bench/api_wrk.lua http://127.0.0.1:PORT
--
-- FILE holds one request a line: "<path>" or "<path>\t<etag>" (the etag is sent as If-None-Match);
-- "NONCE" in a path is replaced by a random number on every request (a URL never asked before).
-- BENCH_AUTH, when set, is sent as "Authorization: Bearer <key>".  done() prints one line
-- starting with "BENCH " that bench/api.py parses (latencies in microseconds).

local entries = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  local path, etag = line:match("^([^\t]+)\t?(.*)$")
  if path then
    entries[#entries + 1] = { path, etag }
  end
end
local auth = os.getenv("BENCH_AUTH") or ""

local threads = {}

function setup(thread)
  thread:set("number", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() * 1000 + number)
  ok, not_modified, other = 0, 0, 0
end

function request()
  local entry = entries[math.random(#entries)]
  local headers = {}
  if auth ~= "" then
    headers["Authorization"] = "Bearer " .. auth
  end
  if entry[2] ~= "" then
    headers["If-None-Match"] = entry[2]
  end
  local path = entry[1]:gsub("NONCE", tostring(math.random(1, 2000000000)))
  return wrk.format("GET", path, headers)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  elseif status == 304 then
    not_modified = not_modified + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local counts = { ok = 0, not_modified = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(counts) do
      counts[name] = counts[name] + thread:get(name)
    end
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d mean=%.0f p50=%d p75=%d p90=%d p95=%d p99=%d max=%d "
      .. "ok=%d not_modified=%d other=%d connect=%d read=%d write=%d timeout=%d status=%d\n",
    summary.requests, summary.duration, latency.mean,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max,
    counts.ok, counts.not_modified, counts.other,
    e.connect, e.read, e.write, e.timeout, e.status
  ))
end

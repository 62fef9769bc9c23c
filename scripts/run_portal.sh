#!/usr/bin/env bash
# Start GreenBridge on this machine: the web server and a real Celery worker.
#
#   scripts/run_portal.sh           (normally through: make run)
#
# Environment: HOST (default 127.0.0.1), PORT (default 8000), and everything
# config/settings.py reads (see .env.example).  With neither DATABASE_URL nor
# REDIS_URL set it runs on SQLite and the embedded broker in var/: nothing to
# install but Python.  Ctrl-C stops both processes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PY="$ROOT/.venv/bin/python"
CELERY="$ROOT/.venv/bin/celery"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
VAR_DIR="${GREENBRIDGE_VAR_DIR:-$ROOT/var}"
LOG_DIR="$VAR_DIR/log"
WORKER_LOG="$LOG_DIR/worker.log"
HEALTH_TIMEOUT="${HEALTH_TIMEOUT:-120}"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'run_portal: %s\n' "$*" >&2; exit 1; }

[[ -x "$PY" && -x "$CELERY" ]] || die "no virtualenv in .venv: run 'make run' instead of this script"

# The address to open in a browser (0.0.0.0 and [::] listen on every interface).
# IPv6 addresses go in brackets, as runserver wants them: HOST='[::1]'.
case "$HOST" in
    0.0.0.0) URL_HOST=127.0.0.1 ;;
    "[::]") URL_HOST="[::1]" ;;
    *) URL_HOST="$HOST" ;;
esac
URL="http://$URL_HOST:$PORT"

# Another server already answering on this port would fake our health check.
if "$PY" - "$URL_HOST" "$PORT" <<'EOF'; then
import socket, sys
host = sys.argv[1].strip("[]")
try:
    socket.create_connection((host, int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
EOF
    die "something is already listening on $URL_HOST:$PORT; stop it or choose another port: PORT=8001 make run"
fi

say "Database: ${DATABASE_URL:+DATABASE_URL}${DATABASE_URL:-SQLite in $VAR_DIR}; broker: ${REDIS_URL:+Redis (REDIS_URL)}${REDIS_URL:-embedded (files in $VAR_DIR/celery-broker)}"

say "Applying migrations"
"$PY" manage.py migrate --noinput

say "Loading demo data (only into an empty database)"
"$PY" manage.py load_demo --if-empty

say "Collecting static files"
"$PY" manage.py collectstatic --noinput -v0

# --- start the worker and the web server, each in its own process group --------
PGIDS=()
WORKER_PID=""
WEB_PID=""
STOPPING=0

stop_all() {
    # The worker gets TERM on its main process only: a warm shutdown that lets the
    # task in hand finish (the pool processes would die mid-task on a group TERM).
    # The web server gets TERM on its group (runserver and its reloader child).
    # Whatever is left in either group after 20 s gets KILL: tasks are acknowledged
    # late, so one cut short is redelivered to the next worker.
    local pg alive deadline=$((SECONDS + 20))
    if [[ -n "$WORKER_PID" ]]; then kill -TERM "$WORKER_PID" 2>/dev/null || true; fi
    if [[ -n "$WEB_PID" ]]; then kill -TERM -- "-$WEB_PID" 2>/dev/null || true; fi
    while ((SECONDS < deadline)); do
        alive=0
        for pg in "${PGIDS[@]}"; do
            if kill -0 -- "-$pg" 2>/dev/null; then alive=1; fi
        done
        ((alive)) || break
        sleep 0.3
    done
    for pg in "${PGIDS[@]}"; do kill -KILL -- "-$pg" 2>/dev/null || true; done
    wait 2>/dev/null || true
}

on_signal() {
    ((STOPPING)) && return
    STOPPING=1
    trap '' INT TERM
    printf '\n'
    say "Stopping the web server and the worker"
    stop_all
    say "Stopped"
    exit 0
}

on_exit() {
    local status=$?
    trap - EXIT
    if ((!STOPPING)) && ((${#PGIDS[@]})); then
        STOPPING=1
        trap '' INT TERM
        stop_all
    fi
    exit "$status"
}

trap on_signal INT TERM
trap on_exit EXIT

mkdir -p "$LOG_DIR"

# set -m: every background job gets its own process group, so that killing the
# group also reaches the worker's pool processes and runserver's reloader child.
set -m
say "Starting the Celery worker (log: $WORKER_LOG)"
"$CELERY" -A config worker --loglevel INFO --concurrency 2 </dev/null >>"$WORKER_LOG" 2>&1 &
WORKER_PID=$!
PGIDS+=("$WORKER_PID")

say "Starting the web server on $HOST:$PORT"
"$PY" manage.py runserver "$HOST:$PORT" </dev/null &
WEB_PID=$!
PGIDS+=("$WEB_PID")
set +m

# --- wait until the portal is healthy ---------------------------------------------
deadline=$((SECONDS + HEALTH_TIMEOUT))
until "$PY" - "$URL/healthz" <<'EOF' 2>/dev/null; do
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=3) as response:
    sys.exit(0 if json.load(response).get("status") == "ok" else 1)
EOF
    kill -0 "$WORKER_PID" 2>/dev/null || { tail -n 30 "$WORKER_LOG" >&2; die "the Celery worker exited (log above, full log: $WORKER_LOG)"; }
    kill -0 "$WEB_PID" 2>/dev/null || die "the web server exited (see its output above)"
    ((SECONDS < deadline)) || die "$URL/healthz did not report ok within $HEALTH_TIMEOUT s"
    sleep 0.5
done

# --- tell the user where to go -----------------------------------------------------
LOGINS="$VAR_DIR/demo-logins.txt"
printf '\n'
say "GreenBridge is running at $URL/"
echo "    admin:         $URL/admin/"
echo "    health:        $URL/healthz"
echo "    worker log:    $WORKER_LOG"
printf '\n'
if [[ -s "$LOGINS" ]]; then
    say "Demo logins (from $LOGINS)"
    sed 's/^/    /' "$LOGINS"
else
    say "No demo logins found ($LOGINS is missing)."
    echo "    Create an administrator with: .venv/bin/python manage.py createsuperuser"
fi
printf '\n'
say "Press Ctrl-C to stop."

# --- run until Ctrl-C, or until one of the two processes dies ----------------------
set +e
wait -n "$WORKER_PID" "$WEB_PID"
status=$?
set -e
if kill -0 "$WORKER_PID" 2>/dev/null; then
    die "the web server stopped unexpectedly (exit status $status); stopping the worker"
fi
tail -n 30 "$WORKER_LOG" >&2
die "the Celery worker stopped unexpectedly (exit status $status, log above); stopping the web server"

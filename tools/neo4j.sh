#!/usr/bin/env bash
# Start/stop a local Neo4j Community test server (Neo4j's own test harness, tools/neo4j/) for
# the contract suite in CI and for `make bench`. A test server, not a deployment: its database
# lives in a scratch folder under DATA_DIR and is deleted when it stops. Bolt on 127.0.0.1 only.
# The first start resolves the jars from Maven Central into ~/.m2 (≈ 190 MB, about a minute);
# later starts reuse them and launch `java -cp` directly.
#   tools/neo4j.sh start DATA_DIR [BOLT_PORT]  → prints the Bolt URI once a driver session
#                                                answers (BOLT_PORT 0: any free port)
#   tools/neo4j.sh stop DATA_DIR
#   tools/neo4j.sh status DATA_DIR
#   tools/neo4j.sh run DATA_DIR COMMAND…      → starts one on a free port with a random
#       password, runs COMMAND with NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD set, stops it after
# NEO4J_PASSWORD (8+ characters) turns authentication on, user neo4j; unset, it is off.
# NEO4J_HEAP (default 2g) and NEO4J_PAGECACHE_MB (default 512) size the server; NEO4J_TX_MEMORY_MB
# (default 512) caps the heap one transaction may use (db.memory.transaction.max).
set -euo pipefail
cmd=${1:?usage: neo4j.sh start|stop|status|run DATA_DIR [BOLT_PORT | COMMAND…]}
data=${2:?data folder required}
[ "$cmd" = run ] && bolt_port=0 || bolt_port=${3:-7687}
here=$(cd "$(dirname "$0")" && pwd)
project="$here/neo4j"
python=${PYTHON:-.venv/bin/python}
pidfile="$data/neo4j.pid"
log="$data/neo4j.log"

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

# target/classpath.txt is current when it is newer than the sources and its jars are in ~/.m2
built() {
  local cp="$project/target/classpath.txt"
  [ -f "$cp" ] && [ -d "$project/target/classes/plankg" ] || return 1
  [ -z "$(find "$project/pom.xml" "$project/src" -newer "$cp" -type f)" ] || return 1
  local first
  first=$(cut -d: -f1 "$cp")
  [ -f "$first" ]
}

case "$cmd" in
start)
  mkdir -p "$data"
  if running; then sed -n 's#^\(bolt://.*\)#\1#p' "$log" | head -1; exit 0; fi
  if ! built; then
    echo "building the Neo4j test server (first time: jars from Maven Central)…" >&2
    mvn -q -B -f "$project/pom.xml" package >"$data/build.log" 2>&1 || {
      tail -30 "$data/build.log" >&2
      exit 1
    }
  fi
  # --add-opens: the flags Neo4j's own start script gives Java 17
  NEO4J_PASSWORD=${NEO4J_PASSWORD:-} java "-Xmx${NEO4J_HEAP:-2g}" -XX:+ExitOnOutOfMemoryError \
    --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
    -Dio.netty.tryReflectionSetAccessible=true \
    -cp "$project/target/classes:$(cat "$project/target/classpath.txt")" \
    plankg.neo4j.Launcher "$data/db" "$bolt_port" >"$log" 2>&1 &
  echo $! >"$pidfile"
  # the launcher prints the URI when Neo4j is up; ready when a driver session answers RETURN 1
  if ! "$python" - "$log" "$(cat "$pidfile")" <<'PY'
import os, re, sys, time
import neo4j
log, pid = sys.argv[1], int(sys.argv[2])
auth = ("neo4j", os.environ["NEO4J_PASSWORD"]) if os.environ.get("NEO4J_PASSWORD") else None
deadline = time.time() + 180
last = None
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("Neo4j exited during start-up")
    with open(log, encoding="utf-8", errors="replace") as fh:
        m = re.search(r"^(bolt://\S+?)/?$", fh.read(), re.M)
    if m:
        try:
            with neo4j.GraphDatabase.driver(m.group(1), auth=auth, connection_timeout=5) as d:
                with d.session() as session:
                    assert session.run("RETURN 1 AS one").single()["one"] == 1
            sys.exit(0)
        except Exception as exc:  # not answering yet
            last = exc
    time.sleep(0.5)
sys.exit(f"Neo4j did not answer within 180 s: {last}")
PY
  then
    tail -30 "$log" >&2 || true
    "$0" stop "$data" || true
    exit 1
  fi
  sed -n 's#^\(bolt://[^/]*\)/*$#\1#p' "$log" | head -1
  ;;
stop)
  if running; then
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true # the launcher closes Neo4j on SIGTERM
    for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  rm -rf "$data/db"
  ;;
run)
  shift 2
  [ $# -gt 0 ] || { echo "run: no command given" >&2; exit 2; }
  export NEO4J_USER=neo4j
  NEO4J_PASSWORD=${NEO4J_PASSWORD:-$("$python" -c 'import secrets; print(secrets.token_hex(12))')}
  export NEO4J_PASSWORD
  trap '"$0" stop "$data"' EXIT
  trap 'exit 130' INT TERM
  NEO4J_URI=$("$0" start "$data" 0)
  export NEO4J_URI
  "$@"
  ;;
status)
  if running; then echo "running (pid $(cat "$pidfile"))"; else echo "stopped"; exit 1; fi
  ;;
*)
  echo "unknown command: $cmd" >&2
  exit 2
  ;;
esac

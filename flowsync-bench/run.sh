#!/usr/bin/env bash
# Runs one benchmark scenario: builds the bench jar if needed, starts the server under test in its
# own JVM, then the load generator in another, and prints/appends the results.
#
#   flowsync-bench/run.sh relay     [--server flowsync|bare|both] [--rate 20000] [--warmup 10] [--duration 20]
#   flowsync-bench/run.sh sweep     [--server ...] [--rates 20000,30000,40000] [--step-warmup 3] [--duration 10]
#   flowsync-bench/run.sh capacity  [--server ...] [--clients 19900] [--procs 2] [--connect-rate 4000] [--warmup-clients 5000]
#   flowsync-bench/run.sh joinstorm [--server ...] [--clients 10000] [--warmup-clients 5000]
#   flowsync-bench/run.sh jmh       [JMH options, e.g. -f 1 -wi 3 -i 5]
#
# Options for this script (the rest go to the generator, see LoadGenerator):
#   --server flowsync|bare|native|both|all
#                                 server under test (default flowsync); bare = minimal Jetty relay on
#                                 Jakarta WebSocket, native = the same on Jetty's own WebSocket API;
#                                 both = flowsync, bare; all = flowsync, bare, native
#   --server-xmx 1g               server heap limit
#   --server-opts "..."           extra server JVM flags
#   --server-args "..."           extra BenchServer options, e.g. "--resume-grace-ms 1000"
#   --gen-xmx 2g                  generator heap limit
#   --nodes N                     N FlowSync servers in one cluster over Redis (--redis-url,
#                                 default redis://127.0.0.1:6379); client i connects to node i % N
#   --jfr SECONDS                 record a JFR profile of the server for SECONDS, starting
#                                 after --jfr-delay SECONDS (default 12: after the relay warm-up)
# Results: bench-results/results.txt (one RESULT line per measurement) and a log per run.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
JAR="$HERE/target/flowsync-bench.jar"
OUT="${BENCH_OUT:-$ROOT/bench-results}"
mkdir -p "$OUT"

scenario=${1:-}
if [[ -z "$scenario" ]]; then
  sed -n '2,20p' "$0"
  exit 2
fi
shift

servers=flowsync
server_xmx=1g
server_opts=""
server_args=""
gen_xmx=2g
jfr=0
jfr_delay=12
rooms=0
nodes=1
redis_url=redis://127.0.0.1:6379
gen_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --server) servers=$2; shift 2 ;;
    --server-xmx) server_xmx=$2; shift 2 ;;
    --server-opts) server_opts=$2; shift 2 ;;
    --server-args) server_args=$2; shift 2 ;;
    --gen-xmx) gen_xmx=$2; shift 2 ;;
    --jfr) jfr=$2; shift 2 ;;
    --jfr-delay) jfr_delay=$2; shift 2 ;;
    --server-rooms) rooms=$2; shift 2 ;;
    --nodes) nodes=$2; shift 2 ;;
    --redis-url) redis_url=$2; shift 2 ;;
    *) gen_args+=("$1"); shift ;;
  esac
done
[[ "$servers" == both ]] && servers="flowsync bare"
[[ "$servers" == all ]] && servers="flowsync bare native"

# Build when the jar is missing or older than any source of the modules it contains.
if [[ ! -f "$JAR" ]] || [[ -n "$(find "$ROOT"/flowsync-bench/src "$ROOT"/flowsync-core/src "$ROOT"/flowsync-signaling/src "$ROOT"/flowsync-jetty/src -newer "$JAR" -name '*.java' -print -quit)" ]]; then
  echo "building $JAR ..."
  (cd "$ROOT" && mvn -q -Pbench -pl flowsync-bench -am package -DskipTests)
fi

if [[ "$scenario" == jmh ]]; then
  exec java -jar "$JAR" "${gen_args[@]}"
fi

if [[ "$scenario" == joinstorm && "$rooms" == 0 ]]; then
  rooms=4000
fi

server_pids=()
cleanup() {
  for pid in "${server_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  server_pids=()
}
trap cleanup EXIT INT TERM

stamp=$(date -u +%Y%m%dT%H%M%SZ)
for server in $servers; do
  log="$OUT/$stamp-$scenario-$server"
  urls=""
  pids=""
  n=1
  [[ "$server" == flowsync ]] && n=$nodes
  for node in $(seq 1 "$n"); do
    ready="$OUT/$server-$node.ready"
    rm -f "$ready"
    node_log="$log.server.log"
    [[ $n -gt 1 ]] && node_log="$log.server-$node.log"
    case "$server" in
      flowsync)
        cluster=()
        node_tokens=20000
        if [[ $n -gt 1 ]]; then
          cluster=(--redis "$redis_url" --key-prefix "fsbench-$stamp:" --node-id "n$node")
          [[ $node -gt 1 ]] && node_tokens=0
        fi
        java -Xmx"$server_xmx" $server_opts -cp "$JAR" dev.flowsync.bench.BenchServer \
          --port 0 --tokens "$node_tokens" --tokens-file "$OUT/tokens.txt" --rooms "$rooms" \
          --ready-file "$ready" "${cluster[@]}" $server_args >"$node_log" 2>&1 &
        tokens=(--tokens "$OUT/tokens.txt") ;;
      bare|native)
        api=jakarta; [[ "$server" == native ]] && api=native
        java -Xmx"$server_xmx" $server_opts -cp "$JAR" dev.flowsync.bench.relay.BareRelay \
          --port 0 --api "$api" --ready-file "$ready" >"$node_log" 2>&1 &
        tokens=() ;;
      *) echo "unknown --server $server" >&2; exit 2 ;;
    esac
    server_pids+=($!)
    for _ in $(seq 1 600); do [[ -f "$ready" ]] && break; sleep 0.1; done
    [[ -f "$ready" ]] || { echo "server did not start, see $node_log" >&2; exit 1; }
    port=$(sed -n 's/^port=//p' "$ready")
    urls="${urls:+$urls,}ws://127.0.0.1:$port/ws"
    pids="${pids:+$pids,}$!"
  done
  server_pid=${server_pids[0]}
  echo "server $server: pid(s) $pids, url(s) $urls, JVM flags: -Xmx$server_xmx $server_opts"
  if [[ "$jfr" != 0 ]]; then
    (sleep "$jfr_delay"; jcmd "$server_pid" JFR.start duration="${jfr}s" filename="$log.jfr" settings=profile >/dev/null) &
  fi
  java -Xmx"$gen_xmx" -cp "$JAR" dev.flowsync.bench.LoadGenerator "$scenario" \
    --url "$urls" --server-pid "$pids" --label "$server$([[ $n -gt 1 ]] && echo "-x$n")" \
    --out "$OUT/results.txt" "${tokens[@]}" "${gen_args[@]}" | tee "$log.log"
  if [[ "$jfr" != 0 ]]; then
    for _ in $(seq 1 100); do [[ -s "$log.jfr" ]] && break; sleep 0.5; done
    echo "JFR recording: $log.jfr (jfr print --events jdk.ExecutionSample $log.jfr)"
  fi
  cleanup
done

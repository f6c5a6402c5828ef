#!/usr/bin/env bash
# The soak (issue #9): the standalone server jar in its own JVM under a moderate mixed load
# (joins, leaves, state, chat, signals, timers, drops that resume, reconnects) for --duration
# seconds, sampling its heap after a full GC, threads, RSS and open files every --sample seconds.
# Exit status 0 when the verdict is PASS. See dev.flowsync.bench.Soak for the verdict.
#
#   flowsync-bench/soak.sh [--duration 1800] [--sample 30] [--clients 300] [--rooms 50]
#                          [--chat-rate 200] [--signal-rate 1000] [--state-rate 20] [--timer-rate 5]
#                          [--churn-rate 5] [--grace-ms 20000] [--server-xmx 256m]
#                          [--server-opts "..."] [--max-pending 8] [--out DIR]
#   flowsync-bench/soak.sh --http http://host:8080 --api-key KEY [--server-pid PID] ...
#                          (a server that is already running; without a pid nothing of the
#                          process is sampled)
#
# Results: DIR (default flowsync-bench/target/soak-<time>): soak.log, samples.md, server.log.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BENCH_JAR="$HERE/target/flowsync-bench.jar"
SERVER_JAR="$ROOT/samples/server/target/flowsync-server.jar"

if [[ ! -f "$BENCH_JAR" ]]; then
  (cd "$ROOT" && mvn -q -Pbench -pl flowsync-bench -am package -DskipTests)
fi
if [[ ! -f "$SERVER_JAR" ]]; then
  (cd "$ROOT" && mvn -q -pl samples/server -am package -DskipTests)
fi

out="$HERE/target/soak-$(date -u +%Y%m%dT%H%M%SZ)"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  [[ "${args[$i]}" == --out ]] && out=${args[$((i + 1))]}
done
mkdir -p "$out"
echo "load before: $(uptime)" | tee "$out/soak.log"
java -Xmx512m -cp "$BENCH_JAR" dev.flowsync.bench.Soak --jar "$SERVER_JAR" --out "$out" "$@" \
  | tee -a "$out/soak.log"

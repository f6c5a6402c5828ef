#!/usr/bin/env bash
# The realtime suite of docs/performance.md, in the order the issue ranks it. Each phase is one
# run.sh call; pass phase names to run a subset, e.g. `run-all.sh relay sweep`.
#   relay     (2) 1,000 clients, 20,000 msgs/s: FlowSync, the bare Jakarta relay, the native one
#   capacity  (1) 19,900 idle joined connections over 2 generator processes
#   capacity-tuned  the same with the NIO generator, a heap G1 gives back and 2 malloc arenas,
#             plus the heap histogram of the held connections (the figure in docs/performance.md)
#   joinstorm (3) 10,000 joins into existing rooms at once
#   sweep     (2) rising rates on FlowSync and the bare relay
#   sweep-nio / relay-nio  the same with the generator's lean NIO transport (less generator CPU)
#   profile   (2) FlowSync and the bare relay at 20,000 msgs/s again, each with a 15 s JFR recording
#   chat      (4) acked chat.send over the WebSocket, in-memory store
#   chat-h2 / chat-pg  the same on an H2 file / PostgreSQL (rooms, chat, sessions in SQL), 3 rates
#   jmh       the JMH microbenchmarks (hot path, codec)
#   cluster   (5) three FlowSync nodes over Redis, 10,000 msgs/s, most signals cross nodes
#   cluster-5k  the same at 5,000 msgs/s
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
phases=("$@")
[[ ${#phases[@]} -eq 0 ]] && phases=(relay capacity joinstorm sweep-nio profile chat chat-pg chat-h2 cluster capacity-tuned relay-nio jmh sweep)
for phase in "${phases[@]}"; do
  echo "######## $phase  $(date -u +%H:%M:%S) load: $(cut -d' ' -f1-3 /proc/loadavg)"
  case "$phase" in
    relay) "$HERE/run.sh" relay --server all --rate 20000 --warmup 10 --duration 20 ;;
    capacity) "$HERE/run.sh" capacity --server flowsync --clients 19900 --procs 2 \
        --connect-rate 5000 --warmup-clients 5000 --settle 5 --hold 10 \
        --server-args "--resume-grace-ms 1000" ;;
    capacity-tuned) MALLOC_ARENA_MAX=2 "$HERE/run.sh" capacity --server flowsync --clients 19900 \
        --procs 2 --connect-rate 5000 --warmup-clients 5000 --settle 5 --hold 10 --transport nio \
        --histogram --server-xmx 768m --server-opts "-XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30" \
        --server-args "--resume-grace-ms 1000" ;;
    joinstorm) "$HERE/run.sh" joinstorm --server flowsync --clients 10000 --connect-rate 2500 \
        --warmup-clients 5000 --settle 5 --server-args "--resume-grace-ms 1000" ;;
    sweep) "$HERE/run.sh" sweep --server both \
        --rates 20000,30000,40000,50000,60000,70000,80000,90000 --warmup 10 --step-warmup 3 \
        --duration 10 --stop-after-failures 2 ;;
    sweep-nio) "$HERE/run.sh" sweep --server both --transport nio \
        --rates 20000,30000,40000,50000,60000,70000,80000,90000 --warmup 10 --step-warmup 3 \
        --duration 10 --stop-after-failures 2 ;;
    relay-nio) "$HERE/run.sh" relay --server all --transport nio --rate 20000 --warmup 10 --duration 20 ;;
    profile) "$HERE/run.sh" relay --server both --rate 20000 --warmup 10 --duration 20 \
        --jfr 15 --jfr-delay 16 ;;
    chat) "$HERE/run.sh" chat --server flowsync --rate 5000 --warmup 10 --duration 20 ;;
    chat-h2) "$HERE/run.sh" chat --server flowsync --rates 2000,5000,8000 --warmup 10 \
        --step-warmup 3 --duration 10 --server-args "--store h2" ;;
    chat-pg) "$HERE/run.sh" chat --server flowsync --rates 2000,5000,8000 --warmup 10 \
        --step-warmup 3 --duration 10 --server-args "--store postgres" ;;
    cluster) "$HERE/run.sh" relay --server flowsync --nodes 3 --transport nio --rate 10000 \
        --warmup 10 --duration 20 --max-p99-ms 10 ;;
    cluster-5k) "$HERE/run.sh" relay --server flowsync --nodes 3 --transport nio --rate 5000 \
        --warmup 10 --duration 20 --max-p99-ms 10 ;;
    jmh) "$HERE/run.sh" jmh -f 1 -wi 3 -w 2s -i 5 -r 2s ;;
    *) echo "unknown phase $phase" >&2 ;;
  esac
done
echo "######## done $(date -u +%H:%M:%S)"

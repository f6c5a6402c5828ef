#!/usr/bin/env bash
# Turns the RESULT lines of bench-results/results.txt (or the file given) into Markdown table rows,
# one table per scenario, for docs/performance.md.
file=${1:-$(dirname "$0")/../bench-results/results.txt}
awk '
/^RESULT / {
  delete kv
  for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = p[2] }
  s = kv["scenario"]
  if (s == "relay" || s == "sweep" || s == "chat") {
    if (!(s in header)) {
      header[s] = 1
      printf "\n%s\n| server | generator | rate | sent/s | delivered/s | delivered %% | errors | p50 ms | p95 ms | p99 ms | max ms | server CPU %% | server µs/msg | server RSS MB | threads | generator CPU %% | generator µs/msg | ok |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n", s
    }
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", kv["label"], kv["transport"], kv["rate"], kv["sent_per_s"], kv["delivered_per_s"], kv["delivered_pct"], kv["errors"], kv["p50_ms"], kv["p95_ms"], kv["p99_ms"], kv["max_ms"], kv["server_cpu_pct"], kv["server_us_per_msg"], kv["server_rss_mb"], kv["server_threads"], kv["gen_cpu_pct"], kv["gen_us_per_msg"], kv["ok"]
  } else if (s == "capacity") {
    if (!(s in header)) {
      header[s] = 1
      printf "\ncapacity\n| server | clients | joined | errors | wall s | connect/s | p50 ms | p95 ms | p99 ms | max ms | RSS KB/conn | live heap KB/conn | server RSS MB | live heap MB | threads |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    }
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", kv["label"], kv["clients"], kv["joined"], kv["errors"], kv["wall_s"], kv["connect_rate"], kv["p50_ms"], kv["p95_ms"], kv["p99_ms"], kv["max_ms"], kv["rss_kb_per_conn"], kv["heap_kb_per_conn"], kv["server_rss_mb"], kv["server_heap_mb"], kv["server_threads"]
  } else if (s == "joinstorm") {
    if (!(s in header)) {
      header[s] = 1
      printf "\njoinstorm\n| server | clients | joined | errors | wall s | p50 ms | p95 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|---|---|\n"
    }
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", kv["label"], kv["clients"], kv["joined"], kv["errors"], kv["wall_s"], kv["p50_ms"], kv["p95_ms"], kv["p99_ms"], kv["max_ms"]
  }
}' "$file"

/**
 * FlowSync's benchmark tools: a WebSocket load generator ({@link dev.flowsync.bench.LoadGenerator})
 * that runs in its own process, the server it measures ({@link dev.flowsync.bench.BenchServer}),
 * and the measuring helpers. Nothing here is API; see {@code docs/performance.md}.
 */
package dev.flowsync.bench;

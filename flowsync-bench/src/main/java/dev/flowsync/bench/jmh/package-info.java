/**
 * JMH microbenchmarks of the realtime hot path: a signal frame decoded, routed and encoded for its
 * target through the real {@code Gateway}, and the codec on its own. Run with {@code
 * flowsync-bench/run.sh jmh}.
 */
package dev.flowsync.bench.jmh;

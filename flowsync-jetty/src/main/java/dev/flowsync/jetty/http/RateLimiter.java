package dev.flowsync.jetty.http;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per key (a client address): {@code burst} requests at once, refilled at {@code
 * perMinute}. Small and in-memory: it protects one node's unauthenticated endpoints from a single
 * noisy client, it is not a cluster-wide quota.
 */
final class RateLimiter {
  private static final int MAX_KEYS = 10_000;

  private final double perNano;
  private final double burst;
  private final ConcurrentHashMap<String, double[]> buckets = new ConcurrentHashMap<>();

  RateLimiter(int perMinute, int burst) {
    this.perNano = perMinute / 60e9;
    this.burst = burst;
  }

  /** Takes one token for {@code key}; false when the bucket is empty. */
  boolean tryAcquire(String key, long nowNanos) {
    if (buckets.size() > MAX_KEYS) {
      buckets.clear(); // a flood of distinct addresses: forget rather than grow without bound
    }
    boolean[] granted = new boolean[1];
    buckets.compute(
        key,
        (k, b) -> {
          // b[0] = tokens, b[1] = last refill time
          if (b == null) {
            b = new double[] {burst, nowNanos};
          }
          b[0] = Math.min(burst, b[0] + (nowNanos - b[1]) * perNano);
          b[1] = nowNanos;
          if (b[0] >= 1) {
            b[0] -= 1;
            granted[0] = true;
          }
          return b;
        });
    return granted[0];
  }
}

package dev.flowsync.signaling.internal;

import dev.flowsync.signaling.RateLimit;

/**
 * A token bucket for one connection. Not thread-safe: a transport delivers one connection's frames
 * one at a time.
 */
public final class TokenBucket {
  private final double perNano;
  private final double burst;
  private double tokens;
  private long last;

  /** A full bucket at {@code nowNanos}. */
  public TokenBucket(RateLimit limit, long nowNanos) {
    this.perNano = limit.perSecond() / 1e9;
    this.burst = limit.burst();
    this.tokens = burst;
    this.last = nowNanos;
  }

  /** Takes one token if there is one. */
  public boolean tryTake(long nowNanos) {
    long elapsed = nowNanos - last;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * perNano);
      last = nowNanos;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}

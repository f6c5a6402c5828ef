package dev.flowsync.bench;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A concurrent log-linear histogram of non-negative values (microseconds here): 64 linear
 * sub-buckets per power of two, so a percentile is exact below 64 and within 1/64 (1.6 %) above.
 * Recording is one atomic increment; histograms of several processes merge by adding counts.
 */
public final class Histogram {
  private static final int SUB_BITS = 6;
  private static final int SUB = 1 << SUB_BITS;
  private static final int BUCKETS = (64 - SUB_BITS + 1) * SUB;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

  /** Records one value; negative values count as 0. */
  public void record(long value) {
    counts.incrementAndGet(index(Math.max(0, value)));
  }

  static int index(long v) {
    if (v < SUB) {
      return (int) v;
    }
    int exp = 63 - Long.numberOfLeadingZeros(v) - SUB_BITS + 1; // >= 1
    int sub = (int) (v >>> exp); // in [SUB/2, SUB)
    return exp * SUB + sub;
  }

  /** The largest value that falls into bucket {@code i} (what percentiles report). */
  static long upperBound(int i) {
    int exp = i / SUB;
    long sub = i % SUB;
    if (exp == 0) {
      return sub;
    }
    return ((sub + 1) << exp) - 1;
  }

  /** How many values were recorded. */
  public long count() {
    long n = 0;
    for (int i = 0; i < BUCKETS; i++) {
      n += counts.get(i);
    }
    return n;
  }

  /** The value at percentile {@code p} (0-100), or 0 when empty. */
  public long percentile(double p) {
    long total = count();
    if (total == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(total * p / 100.0));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        return upperBound(i);
      }
    }
    return upperBound(BUCKETS - 1);
  }

  /** The largest recorded value (bucket precision), or 0 when empty. */
  public long max() {
    for (int i = BUCKETS - 1; i >= 0; i--) {
      if (counts.get(i) > 0) {
        return upperBound(i);
      }
    }
    return 0;
  }

  /** Adds another histogram's counts to this one. */
  public void add(Histogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      long c = other.counts.get(i);
      if (c != 0) {
        counts.addAndGet(i, c);
      }
    }
  }

  /** A compact text form, {@code index:count,...}, for handing a histogram between processes. */
  public String encode() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < BUCKETS; i++) {
      long c = counts.get(i);
      if (c != 0) {
        if (sb.length() > 0) {
          sb.append(',');
        }
        sb.append(i).append(':').append(c);
      }
    }
    return sb.toString();
  }

  /** Parses {@link #encode()}. */
  public static Histogram decode(String text) {
    Histogram h = new Histogram();
    if (text == null || text.isBlank()) {
      return h;
    }
    for (String part : text.trim().split(",")) {
      int colon = part.indexOf(':');
      h.counts.addAndGet(
          Integer.parseInt(part.substring(0, colon)), Long.parseLong(part.substring(colon + 1)));
    }
    return h;
  }

  /** {@code p50/p95/p99/max} in milliseconds with two decimals, values being microseconds. */
  public String summaryMillis() {
    return String.format(
        "p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms (n=%d)",
        percentile(50) / 1000.0,
        percentile(95) / 1000.0,
        percentile(99) / 1000.0,
        max() / 1000.0,
        count());
  }
}

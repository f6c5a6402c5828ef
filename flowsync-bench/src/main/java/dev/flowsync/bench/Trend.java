package dev.flowsync.bench;

/**
 * A least-squares line through sampled values over time, for telling a leak (a steady climb) from
 * the saw-tooth of a healthy process: {@link #growth()} is how much the fitted line rises over the
 * sampled span, which noise in single samples moves far less than "last minus first" would.
 *
 * @param slopePerMinute fitted change per minute
 * @param spanMinutes time between the first and the last sample
 * @param samples how many samples the fit used
 */
record Trend(double slopePerMinute, double spanMinutes, int samples) {

  /** Fits {@code values} sampled at {@code seconds}; fewer than two samples give a flat line. */
  static Trend fit(double[] seconds, double[] values) {
    int n = seconds.length;
    if (n < 2) {
      return new Trend(0, 0, n);
    }
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += seconds[i];
      my += values[i];
    }
    mx /= n;
    my /= n;
    double sxy = 0;
    double sxx = 0;
    for (int i = 0; i < n; i++) {
      sxy += (seconds[i] - mx) * (values[i] - my);
      sxx += (seconds[i] - mx) * (seconds[i] - mx);
    }
    double perSecond = sxx == 0 ? 0 : sxy / sxx;
    return new Trend(perSecond * 60, (seconds[n - 1] - seconds[0]) / 60, n);
  }

  /** The fitted rise over the sampled span (negative when it falls). */
  double growth() {
    return slopePerMinute * spanMinutes;
  }

  /** Flat: the fitted line rises by at most {@code bound} over the span (falling is fine). */
  boolean flatWithin(double bound) {
    return growth() <= bound;
  }
}

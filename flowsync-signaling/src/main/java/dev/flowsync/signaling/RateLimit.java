package dev.flowsync.signaling;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A per-connection limit on inbound frames: a token bucket that refills at {@code perSecond} and
 * holds at most {@code burst} frames. Frames beyond it are answered with {@code rate_limited}; a
 * client that keeps exceeding it is closed with 4429.
 *
 * @param perSecond sustained frames per second, &gt; 0
 * @param burst the most frames accepted at once after a quiet period, &ge; 1
 */
public record RateLimit(double perSecond, int burst) {
  private static final Pattern FORMAT =
      Pattern.compile(
          "\\s*(\\d+(?:\\.\\d+)?)\\s*/\\s*(s|sec|second|m|min|minute)\\s*(?:,\\s*burst\\s*=\\s*(\\d+)\\s*)?");

  /** The default: 50 frames per second, bursts of 100. */
  public static final RateLimit DEFAULT = new RateLimit(50, 100);

  /** No effective limit (for trusted load generators and tests). */
  public static final RateLimit UNLIMITED = new RateLimit(1e9, Integer.MAX_VALUE);

  public RateLimit {
    if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException("rate must be > 0 frames per second, was " + perSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst must be >= 1, was " + burst);
    }
  }

  /**
   * Parses the {@code FLOWSYNC_RATE_LIMIT} format: {@code 50/s,burst=100}, {@code 50/s} (burst =
   * twice the rate), {@code 600/min,burst=20}, or {@code off}.
   *
   * @throws IllegalArgumentException naming the value when it does not match
   */
  public static RateLimit parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("Rate limit must not be null");
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("off") || t.equals("none") || t.equals("unlimited")) {
      return UNLIMITED;
    }
    Matcher m = FORMAT.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "Rate limit '" + text + "' is invalid: use e.g. '50/s,burst=100', '600/min' or 'off'");
    }
    double amount = Double.parseDouble(m.group(1));
    double perSecond = m.group(2).startsWith("m") ? amount / 60.0 : amount;
    int burst =
        m.group(3) != null
            ? Integer.parseInt(m.group(3))
            : (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(perSecond * 2)));
    return new RateLimit(perSecond, burst);
  }

  @Override
  public String toString() {
    return (perSecond == Math.rint(perSecond) ? String.valueOf((long) perSecond) : perSecond)
        + "/s,burst="
        + burst;
  }
}

package dev.flowsync.signaling.protocol;

/**
 * Hand-written encoders for the small, frequent frames (signal relays, {@code ok}, {@code pong},
 * {@code error}): a string builder instead of a tree, so the relay path allocates little more than
 * the frame it sends.
 */
public final class Outbound {
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final ThreadLocal<StringBuilder> BUILDERS =
      ThreadLocal.withInitial(() -> new StringBuilder(512));

  private Outbound() {}

  /** A cleared per-thread builder; the caller turns it into a String before reusing the thread. */
  public static StringBuilder builder() {
    StringBuilder sb = BUILDERS.get();
    if (sb.capacity() > 64 * 1024) {
      sb = new StringBuilder(512);
      BUILDERS.set(sb);
    }
    sb.setLength(0);
    return sb;
  }

  /** Appends {@code value} as a JSON string literal, quotes included. */
  public static StringBuilder appendString(StringBuilder out, String value) {
    out.append('"');
    int n = value.length();
    int run = 0;
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\' && c != 0x2028 && c != 0x2029) {
        continue;
      }
      out.append(value, run, i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        // U+2028/U+2029 are valid JSON but break JavaScript eval-style consumers.
        case 0x2028 -> out.append("\\u2028");
        case 0x2029 -> out.append("\\u2029");
        default -> out.append("\\u00").append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
      }
      run = i + 1;
    }
    out.append(value, run, n);
    return out.append('"');
  }

  /**
   * The relayed signal: {@code {"type":"signal","room","from","kind","payload"}}.
   *
   * <p>{@code room}, {@code from} and {@code kind} are appended without escaping: the caller passes
   * a room id FlowSync validated (letters, digits, {@code _ . : -}), a connection id it minted and
   * one of the fixed kinds. Only the client's payload is client text, and it is copied as the exact
   * JSON the client sent.
   */
  public static String signal(String room, String from, String kind, Inbound request) {
    StringBuilder sb = builder();
    sb.append("{\"type\":\"signal\",\"room\":\"")
        .append(room)
        .append("\",\"from\":\"")
        .append(from)
        .append("\",\"kind\":\"")
        .append(kind)
        .append("\",\"payload\":");
    request.appendRaw(sb, Inbound.Field.PAYLOAD, "{}");
    return sb.append('}').toString();
  }

  /**
   * The {@code type} of a frame built by this class or {@link Frames}, read from its fixed prefix
   * {@code {"type":"…"}} without parsing; null for any other text.
   */
  public static String typeOf(String frame) {
    String prefix = "{\"type\":\"";
    if (!frame.startsWith(prefix)) {
      return null;
    }
    int end = frame.indexOf('"', prefix.length());
    return end < 0 ? null : frame.substring(prefix.length(), end);
  }

  /** {@code {"type":<type>,"rid":<rid>}} or without rid when null. */
  public static String bare(String type, String rid) {
    StringBuilder sb = builder();
    sb.append("{\"type\":\"").append(type).append('"');
    if (rid != null) {
      sb.append(",\"rid\":");
      appendString(sb, rid);
    }
    return sb.append('}').toString();
  }

  /** An {@code error} frame. */
  public static String error(String rid, String code, String message) {
    StringBuilder sb = builder();
    sb.append("{\"type\":\"error\"");
    if (rid != null) {
      sb.append(",\"rid\":");
      appendString(sb, rid);
    }
    sb.append(",\"code\":\"").append(code).append("\",\"message\":");
    appendString(sb, message == null ? code : message);
    return sb.append('}').toString();
  }
}

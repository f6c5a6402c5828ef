package dev.flowsync.bench;

/**
 * Joins the parts of a text message the JDK WebSocket may deliver in pieces. Most frames come
 * whole, so no builder is allocated for them.
 */
final class TextFrames {
  private StringBuilder partial;

  /** The whole message once {@code last} is true, else null (the part is kept). */
  String accept(CharSequence data, boolean last) {
    if (!last) {
      if (partial == null) {
        partial = new StringBuilder();
      }
      partial.append(data);
      return null;
    }
    if (partial == null) {
      return data.toString();
    }
    String msg = partial.append(data).toString();
    partial = null;
    return msg;
  }
}

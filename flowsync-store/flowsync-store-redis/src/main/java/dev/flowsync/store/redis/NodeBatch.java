package dev.flowsync.store.redis;

import java.util.function.Consumer;

/**
 * Several bus messages for one node in one PUBLISH. A batch starts with {@link #MARK} and holds
 * each message as {@code <length>:<message>} (length in chars). A lone message goes as it is,
 * unless it starts with the mark itself, so a node that receives a plain message from an older node
 * still understands it.
 */
final class NodeBatch {
  static final char MARK = '\u0001';

  /** Up to this many chars in one batch: a few hundred signals, far below Redis's limits. */
  private static final int MAX_CHARS = 256 * 1024;

  private final StringBuilder text = new StringBuilder(4096).append(MARK);

  /** Appends a message. */
  void add(String message) {
    text.append(message.length()).append(':').append(message);
  }

  /** Whether no more should be added. */
  boolean full() {
    return text.length() >= MAX_CHARS;
  }

  @Override
  public String toString() {
    return text.toString();
  }

  /** The payload that carries just {@code message}. */
  static String single(String message) {
    if (message.isEmpty() || message.charAt(0) != MARK) {
      return message;
    }
    NodeBatch b = new NodeBatch();
    b.add(message);
    return b.toString();
  }

  /**
   * Hands each message of a payload to {@code each}, in order.
   *
   * @throws IllegalArgumentException when a batch is malformed (after the messages before it)
   */
  static void split(String payload, Consumer<String> each) {
    if (payload.isEmpty() || payload.charAt(0) != MARK) {
      each.accept(payload);
      return;
    }
    int at = 1;
    while (at < payload.length()) {
      int colon = payload.indexOf(':', at);
      if (colon < 0) {
        throw new IllegalArgumentException("Malformed bus batch: no length at " + at);
      }
      int length = Integer.parseInt(payload, at, colon, 10);
      int end = colon + 1 + length;
      if (length < 0 || end > payload.length()) {
        throw new IllegalArgumentException("Malformed bus batch: length " + length + " at " + at);
      }
      each.accept(payload.substring(colon + 1, end));
      at = end;
    }
  }
}

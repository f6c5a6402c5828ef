package dev.flowsync.core.chat;

import java.util.List;

/**
 * A slice of a room's history.
 *
 * @param messages in ascending seq
 * @param hasMore whether more messages exist beyond this slice in the direction asked for
 */
public record HistoryPage(List<ChatMessage> messages, boolean hasMore) {
  /**
   * Copies the messages.
   *
   * @throws NullPointerException if {@code messages} is null
   */
  public HistoryPage {
    messages = List.copyOf(messages);
  }
}

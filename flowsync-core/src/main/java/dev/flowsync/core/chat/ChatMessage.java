package dev.flowsync.core.chat;

import java.time.Instant;
import java.util.Objects;

/**
 * A stored chat message.
 *
 * @param id globally unique message id
 * @param seq position in the room: 1, 2, 3 … with no gaps, across all nodes
 * @param room the room id
 * @param userId the sender
 * @param name the sender's display name at the time of sending
 * @param text 1 to 4000 characters
 * @param sentAt when the server stored it
 * @param clientMsgId the sender's idempotency key, or null
 */
public record ChatMessage(
    String id,
    long seq,
    String room,
    String userId,
    String name,
    String text,
    Instant sentAt,
    String clientMsgId) {

  /**
   * Checks the required fields.
   *
   * @throws NullPointerException if a field other than {@code clientMsgId} is null
   */
  public ChatMessage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(room, "room");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(sentAt, "sentAt");
  }
}

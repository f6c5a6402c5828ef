package dev.flowsync.core.chat;

import java.time.Instant;
import java.util.Objects;

/**
 * A message about to be stored; the store assigns its {@code seq}.
 *
 * @param id the id to store it under
 * @param room the room id
 * @param userId the sender
 * @param name the sender's display name
 * @param text the validated text
 * @param sentAt the server time of sending
 * @param clientMsgId the sender's idempotency key, or null
 */
public record NewMessage(
    String id,
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
  public NewMessage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(room, "room");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(sentAt, "sentAt");
  }

  /** The stored form of this message at {@code seq}. */
  public ChatMessage withSeq(long seq) {
    return new ChatMessage(id, seq, room, userId, name, text, sentAt, clientMsgId);
  }
}

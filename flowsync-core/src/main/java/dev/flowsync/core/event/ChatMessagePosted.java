package dev.flowsync.core.event;

import dev.flowsync.core.chat.ChatMessage;
import java.time.Instant;

/** A chat message was stored (never published for a duplicate send). */
public record ChatMessagePosted(ChatMessage message, Instant at) implements RoomEvent {
  @Override
  public String roomId() {
    return message.room();
  }
}

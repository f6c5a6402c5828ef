package dev.flowsync.core.event;

import dev.flowsync.core.room.Room;
import java.time.Instant;

/** A room was created (by the API or by auto-create on join). */
public record RoomCreated(Room room, Instant at) implements RoomEvent {
  @Override
  public String roomId() {
    return room.id();
  }
}

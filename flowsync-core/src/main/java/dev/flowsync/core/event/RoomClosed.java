package dev.flowsync.core.event;

import dev.flowsync.core.presence.Member;
import java.time.Instant;
import java.util.List;

/**
 * A room was deleted.
 *
 * @param roomId the room
 * @param members the members it had, now removed (they get {@code room.closed}, not {@code
 *     member.left})
 * @param at when
 */
public record RoomClosed(String roomId, List<Member> members, Instant at) implements RoomEvent {
  /**
   * Copies the member list.
   *
   * @throws NullPointerException if {@code members} is null
   */
  public RoomClosed {
    members = List.copyOf(members);
  }
}

package dev.flowsync.core.event;

import dev.flowsync.core.presence.Member;
import java.time.Instant;

/** A connection joined a room. */
public record MemberJoined(Member member, Instant at) implements RoomEvent {
  @Override
  public String roomId() {
    return member.room();
  }
}

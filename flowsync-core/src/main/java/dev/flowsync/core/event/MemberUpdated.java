package dev.flowsync.core.event;

import dev.flowsync.core.presence.Member;
import java.time.Instant;

/** A member replaced its state. */
public record MemberUpdated(Member member, Instant at) implements RoomEvent {
  @Override
  public String roomId() {
    return member.room();
  }
}

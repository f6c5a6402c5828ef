package dev.flowsync.core.event;

import dev.flowsync.core.presence.LeaveReason;
import dev.flowsync.core.presence.Member;
import java.time.Instant;

/**
 * A member left a room.
 *
 * @param member the member as it was
 * @param reason why
 * @param detail a human-readable detail (the kick reason), or null
 * @param at when
 */
public record MemberLeft(Member member, LeaveReason reason, String detail, Instant at)
    implements RoomEvent {
  @Override
  public String roomId() {
    return member.room();
  }
}

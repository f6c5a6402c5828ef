package dev.flowsync.core.session;

import dev.flowsync.core.presence.LeaveReason;
import java.time.Instant;
import java.util.Objects;

/**
 * One stay of one connection in one room, for analytics.
 *
 * @param room the room id
 * @param connectionId the connection
 * @param userId the user
 * @param joinedAt when the stay began
 * @param leftAt when it ended, or null while it lasts
 * @param reason why it ended, or null while it lasts
 */
public record MemberSession(
    String room,
    String connectionId,
    String userId,
    Instant joinedAt,
    Instant leftAt,
    LeaveReason reason) {

  /**
   * Checks the required fields.
   *
   * @throws NullPointerException if room, connectionId, userId or joinedAt is null
   */
  public MemberSession {
    Objects.requireNonNull(room, "room");
    Objects.requireNonNull(connectionId, "connectionId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(joinedAt, "joinedAt");
  }

  /** How long the stay lasted, or null while it lasts. */
  public Long durationMs() {
    return leftAt == null ? null : leftAt.toEpochMilli() - joinedAt.toEpochMilli();
  }
}

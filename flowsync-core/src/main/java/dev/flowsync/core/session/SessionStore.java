package dev.flowsync.core.session;

import dev.flowsync.core.Page;
import dev.flowsync.core.presence.LeaveReason;
import java.time.Instant;
import java.util.Optional;

/** Records member stays (join to leave) for analytics. */
public interface SessionStore {

  /** Records a stay that has begun. */
  void open(MemberSession session);

  /**
   * Ends the open stay of this connection in this room.
   *
   * @return the ended stay, or empty if none was open
   */
  Optional<MemberSession> close(
      String room, String connectionId, Instant leftAt, LeaveReason reason);

  /** Stays in the room, most recent join first. */
  Page<MemberSession> list(String room, int limit, String cursor);

  /** Retention: deletes stays that ended before {@code cutoff}; returns how many. */
  int deleteEndedBefore(Instant cutoff);
}

package dev.flowsync.core.session;

import dev.flowsync.core.Page;
import dev.flowsync.core.presence.LeaveReason;
import java.time.Instant;
import java.util.Optional;

/**
 * Records member stays (join to leave) for analytics. No argument is ever null except a first
 * page's cursor. The contract kit ({@code SessionStoreContract} in {@code flowsync-store-tck}) is
 * the executable form of this specification.
 */
public interface SessionStore {

  /**
   * Records a stay that has begun.
   *
   * @param session the stay, with null {@code leftAt} and {@code reason}
   */
  void open(MemberSession session);

  /**
   * Ends the open stay of this connection in this room (the most recent one, if it rejoined).
   *
   * @param room the room id
   * @param connectionId the connection
   * @param leftAt when it ended
   * @param reason why it ended
   * @return the ended stay, or empty if none was open
   */
  Optional<MemberSession> close(
      String room, String connectionId, Instant leftAt, LeaveReason reason);

  /**
   * Stays in the room, most recent {@code joinedAt} first, in a stable order for equal times. A
   * cursor names a position, not an offset: stays recorded, or deleted by retention, between pages
   * never make a page repeat or skip a stay.
   *
   * @param room the room id
   * @param limit at most this many items, 1 or more
   * @param cursor null for the first page, else a {@link Page#nextCursor()} of this store
   * @return the page; its next cursor is null when no stay follows (also when the page is full)
   * @throws IllegalArgumentException if the cursor was not issued by this store
   */
  Page<MemberSession> list(String room, int limit, String cursor);

  /**
   * Retention: deletes stays that ended strictly before {@code cutoff}; open stays are kept.
   *
   * @param cutoff stays with {@code leftAt} before this are deleted
   * @return how many were deleted
   */
  int deleteEndedBefore(Instant cutoff);
}

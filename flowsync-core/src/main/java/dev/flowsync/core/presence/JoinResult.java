package dev.flowsync.core.presence;

import dev.flowsync.core.room.Room;
import java.util.List;

/**
 * What a join returns.
 *
 * @param room the room joined
 * @param self the joining member
 * @param members everyone in the room, the joiner included, oldest first
 * @param alreadyMember true when the connection was a member before (nothing changed)
 */
public record JoinResult(Room room, Member self, List<Member> members, boolean alreadyMember) {
  /**
   * Copies the member list.
   *
   * @throws NullPointerException if {@code members} is null
   */
  public JoinResult {
    members = List.copyOf(members);
  }
}

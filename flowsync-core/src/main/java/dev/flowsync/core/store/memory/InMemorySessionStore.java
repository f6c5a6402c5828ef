package dev.flowsync.core.store.memory;

import dev.flowsync.core.Page;
import dev.flowsync.core.presence.LeaveReason;
import dev.flowsync.core.session.MemberSession;
import dev.flowsync.core.session.SessionStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Member stays per room, newest first. The cursor is the index into the room's list, which only
 * grows at the front, so it is given as a count from the oldest end.
 */
public final class InMemorySessionStore implements SessionStore {
  private final Map<String, List<MemberSession>> byRoom = new HashMap<>();

  @Override
  public synchronized void open(MemberSession session) {
    byRoom.computeIfAbsent(session.room(), r -> new ArrayList<>()).add(session);
  }

  @Override
  public synchronized Optional<MemberSession> close(
      String room, String connectionId, Instant leftAt, LeaveReason reason) {
    List<MemberSession> sessions = byRoom.getOrDefault(room, List.of());
    for (int i = sessions.size() - 1; i >= 0; i--) {
      MemberSession s = sessions.get(i);
      if (s.connectionId().equals(connectionId) && s.leftAt() == null) {
        MemberSession closed =
            new MemberSession(s.room(), s.connectionId(), s.userId(), s.joinedAt(), leftAt, reason);
        sessions.set(i, closed);
        return Optional.of(closed);
      }
    }
    return Optional.empty();
  }

  @Override
  public synchronized Page<MemberSession> list(String room, int limit, String cursor) {
    List<MemberSession> sessions = byRoom.getOrDefault(room, List.of());
    // Position counted from the oldest end stays valid while newer stays are appended.
    int end =
        cursor == null ? sessions.size() : Math.min(Integer.parseInt(cursor), sessions.size());
    List<MemberSession> items = new ArrayList<>(limit);
    int i = end - 1;
    for (; i >= 0 && items.size() < limit; i--) {
      items.add(sessions.get(i));
    }
    return new Page<>(items, i >= 0 ? Integer.toString(i + 1) : null);
  }

  @Override
  public synchronized int deleteEndedBefore(Instant cutoff) {
    int deleted = 0;
    for (List<MemberSession> sessions : byRoom.values()) {
      int before = sessions.size();
      sessions.removeIf(s -> s.leftAt() != null && s.leftAt().isBefore(cutoff));
      deleted += before - sessions.size();
    }
    return deleted;
  }
}

package dev.flowsync.core.store.memory;

import dev.flowsync.core.Page;
import dev.flowsync.core.presence.LeaveReason;
import dev.flowsync.core.session.MemberSession;
import dev.flowsync.core.session.SessionStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Member stays per room, ordered by (joinedAt, arrival). The cursor names the last key a page
 * returned, not a position, so it stays valid while stays are opened or deleted by retention.
 */
public final class InMemorySessionStore implements SessionStore {
  private record Key(long epochSecond, int nano, long arrival) {}

  private static final Comparator<Key> ORDER =
      Comparator.comparingLong(Key::epochSecond)
          .thenComparingInt(Key::nano)
          .thenComparingLong(Key::arrival);

  private final Map<String, NavigableMap<Key, MemberSession>> byRoom = new HashMap<>();
  private long arrivals;

  @Override
  public synchronized void open(MemberSession session) {
    Instant at = session.joinedAt();
    Key key = new Key(at.getEpochSecond(), at.getNano(), ++arrivals);
    byRoom.computeIfAbsent(session.room(), r -> new TreeMap<>(ORDER)).put(key, session);
  }

  @Override
  public synchronized Optional<MemberSession> close(
      String room, String connectionId, Instant leftAt, LeaveReason reason) {
    NavigableMap<Key, MemberSession> sessions = byRoom.get(room);
    if (sessions == null) {
      return Optional.empty();
    }
    for (Map.Entry<Key, MemberSession> e : sessions.descendingMap().entrySet()) {
      MemberSession s = e.getValue();
      if (s.connectionId().equals(connectionId) && s.leftAt() == null) {
        MemberSession closed =
            new MemberSession(s.room(), s.connectionId(), s.userId(), s.joinedAt(), leftAt, reason);
        e.setValue(closed);
        return Optional.of(closed);
      }
    }
    return Optional.empty();
  }

  @Override
  public synchronized Page<MemberSession> list(String room, int limit, String cursor) {
    NavigableMap<Key, MemberSession> sessions = byRoom.getOrDefault(room, new TreeMap<>(ORDER));
    NavigableMap<Key, MemberSession> newestFirst =
        cursor == null
            ? sessions.descendingMap()
            : sessions.headMap(parse(cursor), false).descendingMap();
    List<MemberSession> items = new ArrayList<>(limit);
    Key last = null;
    for (Map.Entry<Key, MemberSession> e : newestFirst.entrySet()) {
      if (items.size() == limit) {
        return new Page<>(items, format(last));
      }
      items.add(e.getValue());
      last = e.getKey();
    }
    return new Page<>(items, null);
  }

  @Override
  public synchronized int deleteEndedBefore(Instant cutoff) {
    int deleted = 0;
    for (NavigableMap<Key, MemberSession> sessions : byRoom.values()) {
      int before = sessions.size();
      sessions.values().removeIf(s -> s.leftAt() != null && s.leftAt().isBefore(cutoff));
      deleted += before - sessions.size();
    }
    return deleted;
  }

  private static String format(Key k) {
    return k.epochSecond() + "." + k.nano() + "." + k.arrival();
  }

  private static Key parse(String cursor) {
    String[] parts = cursor.split("\\.");
    if (parts.length != 3) {
      throw new IllegalArgumentException("Not a session cursor of this store: '" + cursor + "'");
    }
    try {
      return new Key(
          Long.parseLong(parts[0]), Integer.parseInt(parts[1]), Long.parseLong(parts[2]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Not a session cursor of this store: '" + cursor + "'", e);
    }
  }
}

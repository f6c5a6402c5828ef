package dev.flowsync.core.store.memory;

import dev.flowsync.core.presence.AdmitResult;
import dev.flowsync.core.presence.Member;
import dev.flowsync.core.presence.PresenceStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Presence held in plain maps behind one lock. Admission checks the count and adds in the same
 * critical section, which is what makes capacity exact under concurrent joins.
 */
public final class InMemoryPresenceStore implements PresenceStore {
  private static final Comparator<Member> OLDEST_FIRST =
      Comparator.comparing(Member::joinedAt).thenComparing(Member::connectionId);

  private final Object lock = new Object();
  private final Map<String, Map<String, Member>> byRoom = new HashMap<>();
  private final Map<String, List<String>> roomsByConnection = new HashMap<>();
  private final Map<String, Instant> leases = new HashMap<>();

  @Override
  public AdmitResult admit(Member member, int capacity) {
    synchronized (lock) {
      Map<String, Member> members =
          byRoom.computeIfAbsent(member.room(), r -> new LinkedHashMap<>());
      if (members.containsKey(member.connectionId())) {
        return AdmitResult.ALREADY_MEMBER;
      }
      if (capacity > 0 && members.size() >= capacity) {
        if (members.isEmpty()) {
          byRoom.remove(member.room());
        }
        return AdmitResult.FULL;
      }
      members.put(member.connectionId(), member);
      roomsByConnection
          .computeIfAbsent(member.connectionId(), c -> new ArrayList<>())
          .add(member.room());
      return AdmitResult.ADMITTED;
    }
  }

  @Override
  public Optional<Member> updateState(String room, String connectionId, String stateJson) {
    synchronized (lock) {
      Map<String, Member> members = byRoom.get(room);
      Member current = members == null ? null : members.get(connectionId);
      if (current == null) {
        return Optional.empty();
      }
      Member updated = current.withState(stateJson);
      members.put(connectionId, updated);
      return Optional.of(updated);
    }
  }

  @Override
  public Optional<Member> remove(String room, String connectionId) {
    synchronized (lock) {
      return Optional.ofNullable(removeLocked(room, connectionId));
    }
  }

  private Member removeLocked(String room, String connectionId) {
    Map<String, Member> members = byRoom.get(room);
    Member removed = members == null ? null : members.remove(connectionId);
    if (removed == null) {
      return null;
    }
    if (members.isEmpty()) {
      byRoom.remove(room);
    }
    List<String> rooms = roomsByConnection.get(connectionId);
    rooms.remove(room);
    if (rooms.isEmpty()) {
      roomsByConnection.remove(connectionId);
    }
    return removed;
  }

  @Override
  public Optional<Member> find(String room, String connectionId) {
    synchronized (lock) {
      Map<String, Member> members = byRoom.get(room);
      return Optional.ofNullable(members == null ? null : members.get(connectionId));
    }
  }

  @Override
  public List<Member> members(String room) {
    List<Member> result;
    synchronized (lock) {
      Map<String, Member> members = byRoom.get(room);
      result = members == null ? new ArrayList<>() : new ArrayList<>(members.values());
    }
    result.sort(OLDEST_FIRST);
    return result;
  }

  @Override
  public int count(String room) {
    synchronized (lock) {
      Map<String, Member> members = byRoom.get(room);
      return members == null ? 0 : members.size();
    }
  }

  @Override
  public List<String> roomsOf(String connectionId) {
    synchronized (lock) {
      List<String> rooms = roomsByConnection.get(connectionId);
      return rooms == null ? List.of() : List.copyOf(rooms);
    }
  }

  @Override
  public List<Member> removeRoom(String room) {
    synchronized (lock) {
      Map<String, Member> members = byRoom.get(room);
      if (members == null) {
        return List.of();
      }
      List<Member> removed = new ArrayList<>(members.values());
      for (Member m : removed) {
        removeLocked(room, m.connectionId());
      }
      removed.sort(OLDEST_FIRST);
      return removed;
    }
  }

  @Override
  public List<Member> transferConnection(String connectionId, String newNodeId) {
    synchronized (lock) {
      List<Member> moved = new ArrayList<>();
      for (String room : roomsByConnection.getOrDefault(connectionId, List.of())) {
        Map<String, Member> members = byRoom.get(room);
        Member updated = members.get(connectionId).withNode(newNodeId);
        members.put(connectionId, updated);
        moved.add(updated);
      }
      return moved;
    }
  }

  @Override
  public void renewLease(String nodeId, Instant expiresAt) {
    synchronized (lock) {
      leases.put(nodeId, expiresAt);
    }
  }

  @Override
  public List<String> expiredNodes(Instant now) {
    synchronized (lock) {
      List<String> expired = new ArrayList<>();
      leases.forEach(
          (node, expiresAt) -> {
            if (!expiresAt.isAfter(now)) {
              expired.add(node);
            }
          });
      return expired;
    }
  }

  @Override
  public List<Member> removeNode(String nodeId) {
    synchronized (lock) {
      leases.remove(nodeId);
      List<Member> removed = new ArrayList<>();
      for (Map<String, Member> members : List.copyOf(byRoom.values())) {
        for (Member m : List.copyOf(members.values())) {
          if (m.nodeId().equals(nodeId)) {
            removed.add(removeLocked(m.room(), m.connectionId()));
          }
        }
      }
      removed.sort(OLDEST_FIRST);
      return removed;
    }
  }

  @Override
  public List<Member> takeOverNode(String nodeId, String newNodeId) {
    synchronized (lock) {
      leases.remove(nodeId);
      List<Member> moved = new ArrayList<>();
      for (Map<String, Member> members : byRoom.values()) {
        for (Member m : List.copyOf(members.values())) {
          if (m.nodeId().equals(nodeId)) {
            Member held = m.withNode(newNodeId);
            members.put(m.connectionId(), held);
            moved.add(held);
          }
        }
      }
      moved.sort(OLDEST_FIRST);
      return moved;
    }
  }
}

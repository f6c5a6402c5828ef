package dev.flowsync.core.presence;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Who is in which room. Implementations are thread-safe and, when shared between nodes (Redis),
 * make {@link #admit} atomic cluster-wide: two nodes can never admit more than the capacity.
 *
 * <p>Liveness is a lease per node: every node renews its lease about once a second; members whose
 * node's lease has expired are removed by any surviving node through {@link #expiredNodes} and
 * {@link #removeNode}. Stores never read the clock: every time comes in as an argument.
 *
 * <p>No argument is ever null. The contract kit ({@code PresenceStoreContract} in {@code
 * flowsync-store-tck}) is the executable form of this specification.
 */
public interface PresenceStore {

  /**
   * Adds the member if the room has fewer than {@code capacity} members, in one atomic step: the
   * count check and the insert can never be split by another admission, on any node.
   *
   * @param member the member to add; its {@code room} and {@code connectionId} are the key
   * @param capacity the room's capacity; 0 means no limit
   * @return {@link AdmitResult#ADMITTED} if added; {@link AdmitResult#ALREADY_MEMBER} if the
   *     connection already is in the room (checked before capacity; the stored member is kept);
   *     {@link AdmitResult#FULL} if the room is at capacity (nothing changed)
   */
  AdmitResult admit(Member member, int capacity);

  /**
   * Replaces the member's state.
   *
   * @param room the room id
   * @param connectionId the member's connection
   * @param stateJson the new state, a JSON object as text
   * @return the member with the new state; empty if the connection is not a member of the room
   */
  Optional<Member> updateState(String room, String connectionId, String stateJson);

  /**
   * Removes the member.
   *
   * @param room the room id
   * @param connectionId the member's connection
   * @return the member as it was; empty if the connection was not a member of the room
   */
  Optional<Member> remove(String room, String connectionId);

  /**
   * The connection's membership of the room.
   *
   * @param room the room id
   * @param connectionId the connection
   * @return the member, or empty if the connection is not in the room
   */
  Optional<Member> find(String room, String connectionId);

  /**
   * Members of the room, oldest first (by joinedAt, then connectionId).
   *
   * @param room the room id
   * @return the members; empty for an unknown or empty room
   */
  List<Member> members(String room);

  /**
   * How many members the room has, cluster-wide.
   *
   * @param room the room id
   * @return the member count; 0 for an unknown room
   */
  int count(String room);

  /**
   * The rooms the connection is in.
   *
   * @param connectionId the connection
   * @return room ids in no particular order; empty for an unknown connection
   */
  List<String> roomsOf(String connectionId);

  /**
   * Removes every member of the room (the room was deleted).
   *
   * @param room the room id
   * @return the members removed, in any order
   */
  List<Member> removeRoom(String room);

  /**
   * Moves every membership of a connection to another node (the client resumed there). Other fields
   * of the members stay as they were.
   *
   * @param connectionId the connection
   * @param newNodeId the node that now holds it
   * @return the members as they are now; empty for an unknown connection
   */
  List<Member> transferConnection(String connectionId, String newNodeId);

  /**
   * Creates or extends the node's lease.
   *
   * @param nodeId the node
   * @param expiresAt when the lease ends unless renewed again
   */
  void renewLease(String nodeId, Instant expiresAt);

  /**
   * Nodes whose lease has ended.
   *
   * @param now the current time
   * @return ids of nodes whose lease ended at or before {@code now}
   */
  List<String> expiredNodes(Instant now);

  /**
   * Removes the node's lease and every member it held. When several nodes call this at once for one
   * dead node, each member is returned by exactly one of the calls, so its departure is announced
   * once.
   *
   * @param nodeId the dead node
   * @return the members removed by this call, in any order
   */
  List<Member> removeNode(String nodeId);

  /**
   * Moves the dead node's members to {@code newNodeId} and ends the dead node's lease: a survivor
   * holds them while their clients may still resume elsewhere. Other fields of the members stay as
   * they were. When several nodes call this at once for one dead node, each member is moved and
   * returned by exactly one of the calls. The default removes and re-admits (without a capacity
   * check), so the members are briefly missing; stores override it to move them in one step.
   *
   * @param nodeId the dead node
   * @param newNodeId the node that holds them from now on
   * @return the members moved by this call, as they are now
   */
  default List<Member> takeOverNode(String nodeId, String newNodeId) {
    List<Member> moved = new java.util.ArrayList<>();
    for (Member m : removeNode(nodeId)) {
      Member held = m.withNode(newNodeId);
      if (admit(held, 0) == AdmitResult.ADMITTED) {
        moved.add(held);
      }
    }
    return moved;
  }
}

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
 */
public interface PresenceStore {

  /**
   * Adds the member if the room has fewer than {@code capacity} members, in one atomic step.
   *
   * @param capacity the room's capacity; 0 means no limit
   */
  AdmitResult admit(Member member, int capacity);

  /** Replaces the member's state; empty if the connection is not a member of the room. */
  Optional<Member> updateState(String room, String connectionId, String stateJson);

  /** Removes the member; empty if the connection was not a member of the room. */
  Optional<Member> remove(String room, String connectionId);

  /** The member, if the connection is in the room. */
  Optional<Member> find(String room, String connectionId);

  /** Members of the room, oldest first (by joinedAt, then connectionId). */
  List<Member> members(String room);

  /** How many members the room has, cluster-wide. */
  int count(String room);

  /** Ids of the rooms the connection is in. */
  List<String> roomsOf(String connectionId);

  /** Removes every member of the room and returns them. */
  List<Member> removeRoom(String room);

  /** Moves every membership of a connection to another node (after a resume there). */
  List<Member> transferConnection(String connectionId, String newNodeId);

  /** Creates or extends the node's lease until {@code expiresAt}. */
  void renewLease(String nodeId, Instant expiresAt);

  /** Ids of nodes whose lease ended at or before {@code now}. */
  List<String> expiredNodes(Instant now);

  /** Removes the node's lease and every member it held, and returns those members. */
  List<Member> removeNode(String nodeId);
}

package dev.flowsync.core.presence;

import java.time.Instant;
import java.util.Objects;

/**
 * One connection's presence in one room. Presence is per connection: two tabs of one user are two
 * members with the same {@code userId}.
 *
 * @param room the room id
 * @param connectionId the connection that joined
 * @param userId the authenticated user
 * @param name the display name given at join (else the token's)
 * @param stateJson the member's free-form state, a JSON object as text (at most 2 KiB)
 * @param joinedAt when the member joined
 * @param nodeId the cluster node that holds the connection
 */
public record Member(
    String room,
    String connectionId,
    String userId,
    String name,
    String stateJson,
    Instant joinedAt,
    String nodeId) {

  /**
   * Checks the fields.
   *
   * @throws NullPointerException if any field is null
   */
  public Member {
    Objects.requireNonNull(room, "room");
    Objects.requireNonNull(connectionId, "connectionId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(stateJson, "stateJson");
    Objects.requireNonNull(joinedAt, "joinedAt");
    Objects.requireNonNull(nodeId, "nodeId");
  }

  /** A copy with another state. */
  public Member withState(String newStateJson) {
    return new Member(room, connectionId, userId, name, newStateJson, joinedAt, nodeId);
  }

  /** A copy held by another node (after a resume there). */
  public Member withNode(String newNodeId) {
    return new Member(room, connectionId, userId, name, stateJson, joinedAt, newNodeId);
  }
}

package dev.flowsync.core.presence;

/** Why a member left a room, as sent in {@code member.left}. */
public enum LeaveReason {
  /** The client sent {@code leave}. */
  LEFT("left"),
  /** The connection closed and did not resume within the grace period. */
  DISCONNECTED("disconnected"),
  /** The connection went silent for two heartbeats. */
  TIMEOUT("timeout"),
  /** An admin removed the member. */
  KICKED("kicked"),
  /** The room was closed, or the server shut down. */
  CLOSED("closed");

  private final String wireName;

  LeaveReason(String wireName) {
    this.wireName = wireName;
  }

  /** The reason as it appears on the wire. */
  public String wireName() {
    return wireName;
  }
}

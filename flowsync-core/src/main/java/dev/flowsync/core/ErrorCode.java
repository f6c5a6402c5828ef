package dev.flowsync.core;

/**
 * The error codes of the wire protocol (PROTOCOL.md §1.7). Every {@link FlowSyncException} carries
 * one, so the WebSocket gateway and the HTTP API map failures to the same codes in one place.
 */
public enum ErrorCode {
  /** Malformed JSON, missing or wrong fields, unknown type. */
  BAD_REQUEST("bad_request", 400),
  /** Missing, unknown, expired or revoked token. */
  UNAUTHORIZED("unauthorized", 401),
  /** Authenticated, but not allowed: not a member, a private room, owner-only timer. */
  FORBIDDEN("forbidden", 403),
  /** The room does not exist (and is not auto-created). */
  NOT_FOUND("not_found", 404),
  /** The room is at capacity. */
  ROOM_FULL("room_full", 409),
  /** The signal target is not a member of the room. */
  PEER_NOT_FOUND("peer_not_found", 404),
  /** Too many frames or requests. */
  RATE_LIMITED("rate_limited", 429),
  /** A value or frame over its size limit. */
  TOO_LARGE("too_large", 413),
  /** The command does not fit the current state, or the id is taken. */
  CONFLICT("conflict", 409),
  /** A store or the cluster is down; nothing was changed. */
  UNAVAILABLE("unavailable", 503),
  /** A bug on the server. */
  INTERNAL("internal", 500);

  private final String wireName;
  private final int httpStatus;

  ErrorCode(String wireName, int httpStatus) {
    this.wireName = wireName;
    this.httpStatus = httpStatus;
  }

  /**
   * The code as it appears on the wire.
   *
   * @return e.g. {@code room_full}
   */
  public String wireName() {
    return wireName;
  }

  /**
   * The HTTP status the HTTP API answers with for this code.
   *
   * @return e.g. 409
   */
  public int httpStatus() {
    return httpStatus;
  }

  /** The code with this wire name (e.g. {@code room_full}), or null for an unknown name. */
  public static ErrorCode fromWireName(String wireName) {
    for (ErrorCode c : values()) {
      if (c.wireName.equals(wireName)) {
        return c;
      }
    }
    return null;
  }
}

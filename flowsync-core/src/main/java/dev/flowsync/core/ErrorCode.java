package dev.flowsync.core;

/**
 * The error codes of the wire protocol (PROTOCOL.md §1.7). Every {@link FlowSyncException} carries
 * one, so the WebSocket gateway and the HTTP API map failures to the same codes in one place.
 */
public enum ErrorCode {
  BAD_REQUEST("bad_request", 400),
  UNAUTHORIZED("unauthorized", 401),
  FORBIDDEN("forbidden", 403),
  NOT_FOUND("not_found", 404),
  ROOM_FULL("room_full", 409),
  PEER_NOT_FOUND("peer_not_found", 404),
  RATE_LIMITED("rate_limited", 429),
  TOO_LARGE("too_large", 413),
  CONFLICT("conflict", 409),
  UNAVAILABLE("unavailable", 503),
  INTERNAL("internal", 500);

  private final String wireName;
  private final int httpStatus;

  ErrorCode(String wireName, int httpStatus) {
    this.wireName = wireName;
    this.httpStatus = httpStatus;
  }

  /** The code as it appears on the wire, e.g. {@code room_full}. */
  public String wireName() {
    return wireName;
  }

  /** The HTTP status the HTTP API answers with for this code. */
  public int httpStatus() {
    return httpStatus;
  }
}

package dev.flowsync.signaling.client;

/** The server answered a request with {@code error}, or the connection failed. */
public final class FlowSyncClientException extends RuntimeException {
  private final String code;

  /** An error with the protocol's {@code code} (or {@code closed} / {@code timeout}). */
  public FlowSyncClientException(String code, String message) {
    super(code + ": " + message);
    this.code = code;
  }

  /** The protocol error code, e.g. {@code room_full}; {@code closed} if the connection closed. */
  public String code() {
    return code;
  }
}

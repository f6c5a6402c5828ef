package dev.flowsync.signaling;

/** WebSocket close codes of the protocol (PROTOCOL.md §1.7). */
public final class CloseCodes {
  /** Server shutting down, preceded by a {@code bye} frame. */
  public static final int GOING_AWAY = 1001;

  /** Repeated bad frames. */
  public static final int POLICY_VIOLATION = 1008;

  /** A frame over the size limit. */
  public static final int TOO_BIG = 1009;

  /** Bad, expired or revoked token. */
  public static final int UNAUTHORIZED = 4401;

  /** No hello within the deadline. */
  public static final int HELLO_TIMEOUT = 4408;

  /** Rate limit exceeded persistently. */
  public static final int RATE_LIMITED = 4429;

  private CloseCodes() {}
}

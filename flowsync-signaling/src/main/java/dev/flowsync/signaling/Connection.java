package dev.flowsync.signaling;

/**
 * The transport's side of one client connection, as the gateway sees it. Implemented by a transport
 * adapter (the Jetty WebSocket endpoint, or a test double over another transport). Methods are
 * called from any thread and must not block.
 */
public interface Connection {

  /**
   * Queues one text frame for the client.
   *
   * @return false if the connection's outbound queue is full or closed (the frame was dropped and
   *     the gateway will close the connection as a slow consumer)
   */
  boolean send(String text);

  /** Sends a WebSocket ping frame (keep-alive); a no-op on transports without one. */
  void ping();

  /** Closes the connection with a WebSocket close code and a short reason. Idempotent. */
  void close(int code, String reason);

  /** The client's address, for logs and rate limits; never null. */
  String remoteAddress();
}

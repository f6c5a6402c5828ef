package dev.flowsync.signaling;

/**
 * What the transport calls for one open connection: every inbound event goes here. Obtained from
 * {@link Gateway#open(Connection)}. Methods may be called from transport threads; the session never
 * blocks them on a store call.
 */
public interface ClientSession {

  /** A text frame arrived. */
  void onText(String frame);

  /** A binary frame arrived: the protocol is text-only, so it is answered with bad_request. */
  void onBinary();

  /** A pong (answer to the server's ping) arrived. */
  void onPong();

  /** The connection closed (by either side) with this close code. */
  void onClose(int code);

  /** The connection id assigned at hello, or null before it. */
  String connectionId();
}

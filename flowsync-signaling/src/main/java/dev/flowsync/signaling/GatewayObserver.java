package dev.flowsync.signaling;

/**
 * Sees the gateway's traffic, for metrics. Called on the gateway's hot path, from many threads at
 * once: implementations must be thread-safe, fast and must not block or throw.
 */
public interface GatewayObserver {
  /** Observes nothing. */
  GatewayObserver NONE = new GatewayObserver() {};

  /** A well-formed frame of {@code type} arrived from a client. */
  default void frameIn(String type) {}

  /** A frame of {@code type} was queued for a client. */
  default void frameOut(String type) {}

  /** A signal took {@code nanos} from being handled to being queued for its target (or node). */
  default void signalRelayed(long nanos) {}

  /** An {@code error} frame with this protocol code was queued for a client. */
  default void errorSent(String code) {}
}

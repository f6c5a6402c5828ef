package dev.flowsync.core.store;

/**
 * Implemented by stores that can tell whether their backend is reachable; {@code /health} asks each
 * store that implements it.
 */
public interface StoreHealth {
  /** A short name for health output, e.g. {@code sql} or {@code redis}. */
  String healthName();

  /** Whether the backend answered just now. Must return within about a second. */
  boolean isHealthy();
}

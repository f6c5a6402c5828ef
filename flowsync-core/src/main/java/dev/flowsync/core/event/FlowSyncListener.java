package dev.flowsync.core.event;

/**
 * Receives events synchronously, on the thread that made the change. A listener that throws is
 * logged and skipped; it never breaks the engine or the other listeners. Slow work belongs on the
 * listener's own executor.
 */
@FunctionalInterface
public interface FlowSyncListener {
  /**
   * Called once per event, after the change it describes is stored.
   *
   * @param event the event; never null
   */
  void onEvent(FlowSyncEvent event);
}

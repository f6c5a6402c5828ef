package dev.flowsync.core.event;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delivers events to listeners, isolating the engine from listeners that fail. */
public final class EventPublisher {
  private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

  private final List<FlowSyncListener> listeners = new CopyOnWriteArrayList<>();

  /** Adds a listener; returns a handle that removes it again. */
  public AutoCloseable subscribe(FlowSyncListener listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Hands the event to every listener in subscription order. */
  public void publish(FlowSyncEvent event) {
    for (FlowSyncListener listener : listeners) {
      try {
        listener.onEvent(event);
      } catch (RuntimeException e) {
        log.warn("Listener {} failed on {}", listener, event.getClass().getSimpleName(), e);
      }
    }
  }
}

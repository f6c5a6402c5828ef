package dev.flowsync.core.store.memory;

import dev.flowsync.core.timer.TimerState;
import dev.flowsync.core.timer.TimerStatus;
import dev.flowsync.core.timer.TimerStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Timers in a concurrent map; compare-and-set is one atomic {@code compute}. */
public final class InMemoryTimerStore implements TimerStore {
  private final ConcurrentHashMap<String, TimerState> timers = new ConcurrentHashMap<>();

  @Override
  public Optional<TimerState> find(String room) {
    return Optional.ofNullable(timers.get(room));
  }

  @Override
  public boolean compareAndSet(String room, long expectedVersion, TimerState next) {
    boolean[] stored = {false};
    timers.compute(
        room,
        (r, current) -> {
          long currentVersion = current == null ? 0 : current.version();
          if (currentVersion != expectedVersion) {
            return current;
          }
          stored[0] = true;
          return next;
        });
    return stored[0];
  }

  @Override
  public void delete(String room) {
    timers.remove(room);
  }

  @Override
  public Map<String, TimerState> running() {
    Map<String, TimerState> result = new HashMap<>();
    timers.forEach(
        (room, timer) -> {
          if (timer.status() == TimerStatus.RUNNING) {
            result.put(room, timer);
          }
        });
    return result;
  }
}

package dev.flowsync.core.support;

import dev.flowsync.core.FlowSync;
import dev.flowsync.core.auth.AccessToken;
import dev.flowsync.core.event.FlowSyncEvent;
import dev.flowsync.core.store.Stores;
import dev.flowsync.core.store.memory.InMemoryStores;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/** One FlowSync instance on in-memory stores, a test clock and a recorder of every event. */
public final class Harness implements AutoCloseable {
  public static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

  public final TestClock clock;
  public final Stores stores;
  public final FlowSync flowSync;
  private final List<FlowSyncEvent> events = Collections.synchronizedList(new ArrayList<>());

  private Harness(TestClock clock, Stores stores, UnaryOperator<FlowSync.Builder> customize) {
    this.clock = clock;
    this.stores = stores;
    this.flowSync =
        customize
            .apply(FlowSync.builder().clock(clock).stores(stores).nodeId("node-a"))
            .listener(events::add)
            .build();
  }

  public static Harness create() {
    return create(b -> b);
  }

  public static Harness create(UnaryOperator<FlowSync.Builder> customize) {
    return new Harness(new TestClock(T0), InMemoryStores.create(), customize);
  }

  public static Harness create(Stores stores, UnaryOperator<FlowSync.Builder> customize) {
    return new Harness(new TestClock(T0), stores, customize);
  }

  /** A second node over the same stores and the same clock. */
  public Harness peer(String nodeId) {
    return new Harness(clock, stores, b -> b.nodeId(nodeId));
  }

  /** A verified token granting every room. */
  public AccessToken token(String userId) {
    return flowSync.tokens().issue(userId, "Name " + userId, null, null).claims();
  }

  /** A verified token granting only the given rooms. */
  public AccessToken token(String userId, Set<String> rooms) {
    return flowSync.tokens().issue(userId, "Name " + userId, rooms, null).claims();
  }

  public List<FlowSyncEvent> events() {
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  public <T> List<T> events(Class<T> type) {
    return events().stream().filter(type::isInstance).map(type::cast).toList();
  }

  public void clearEvents() {
    events.clear();
  }

  @Override
  public void close() {
    flowSync.close();
  }
}

package dev.flowsync.store.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.flowsync.core.FlowSync;
import dev.flowsync.core.FlowSyncException.RoomFullException;
import dev.flowsync.core.auth.AccessToken;
import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.core.event.ChatMessagePosted;
import dev.flowsync.core.event.FlowSyncEvent;
import dev.flowsync.core.event.MemberJoined;
import dev.flowsync.core.event.TimerChanged;
import dev.flowsync.core.room.RoomSpec;
import dev.flowsync.core.store.Stores;
import dev.flowsync.core.store.memory.InMemoryStores;
import dev.flowsync.core.timer.Phase;
import dev.flowsync.core.timer.TimerState;
import dev.flowsync.core.timer.TimerStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contracts that need the engines: two FlowSync instances (two nodes) over the backend's stores,
 * racing where the store's atomic operations must make exactly one of them win. Stores the backend
 * does not implement come from one in-memory bundle the two instances share.
 */
@DisplayName("FlowSync engines over these stores")
public abstract class EngineContract extends StoreContract {
  private static final List<Phase> PHASES =
      List.of(new Phase("focus", 25 * 60_000), new Phase("break", 5 * 60_000));

  private final Stores shared = InMemoryStores.create();
  private final List<FlowSync> instances = new ArrayList<>();

  /** Stops the instances this test started, before the fixture closes. */
  @AfterEach
  protected final void closeInstances() {
    instances.forEach(FlowSync::close);
  }

  private FlowSync node(String nodeId, StoreFixture f, List<FlowSyncEvent> events) {
    Stores s = f.overlay(shared);
    // Capabilities are the backend's, declared on the first fixture; the second instance only
    // brings its stores. The engines need leases to run on a presence store.
    if (!stores().supports(StoreCapability.NODE_LEASES)) {
      s = s.withPresence(shared.presence());
    }
    FlowSync flowSync =
        FlowSync.builder().nodeId(nodeId).clock(clock).stores(s).listener(events::add).build();
    instances.add(flowSync);
    return flowSync;
  }

  private static List<FlowSyncEvent> events() {
    return Collections.synchronizedList(new ArrayList<>());
  }

  private static <T> List<T> ofType(List<FlowSyncEvent> events, Class<T> type) {
    synchronized (events) {
      return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
  }

  @Test
  @DisplayName("two instances racing on one phase end advance it exactly once")
  void timerRace() throws Exception {
    requireCapability(StoreCapability.TIMERS);
    List<FlowSyncEvent> eventsA = events();
    List<FlowSyncEvent> eventsB = events();
    FlowSync a = node("node-a", stores(), eventsA);
    FlowSync b = node("node-b", stores().secondInstance(), eventsB);
    a.rooms().create(RoomSpec.of("standup"));
    TimerState started = a.timers().start("standup", "u1", PHASES, false);
    clock.advance(Duration.ofMinutes(25));

    List<TimerState> seen = Race.run(8, i -> (i % 2 == 0 ? a : b).timers().get("standup"));

    List<TimerChanged> advances = new ArrayList<>(ofType(eventsA, TimerChanged.class));
    advances.addAll(ofType(eventsB, TimerChanged.class));
    advances.removeIf(e -> e.timer().version() == started.version());
    assertThat(advances).hasSize(1);
    TimerState next = advances.get(0).timer();
    assertThat(next.version()).isEqualTo(started.version() + 1);
    assertThat(next.phaseIndex()).isEqualTo(1);
    assertThat(next.endsAt()).isEqualTo(started.endsAt().plus(Duration.ofMinutes(5)));
    assertThat(advances.get(0).phaseStarted()).isTrue();
    assertThat(seen)
        .allSatisfy(
            s -> {
              assertThat(s.version()).isEqualTo(next.version());
              assertThat(s.phaseIndex()).isEqualTo(1);
            });
    assertThat(stores().timers().find("standup").orElseThrow().version()).isEqualTo(next.version());
  }

  @Test
  @DisplayName("an instance started after a long outage catches a running timer up exactly once")
  void catchUpAfterOutage() throws Exception {
    requireCapability(StoreCapability.TIMERS);
    FlowSync a = node("node-a", stores(), events());
    a.rooms().create(RoomSpec.of("standup"));
    TimerState started = a.timers().start("standup", "u1", PHASES, true);
    a.close();
    clock.advance(Duration.ofMinutes(197)); // 6 whole 30-minute rounds, then 17 minutes in

    List<FlowSyncEvent> eventsC = events();
    FlowSync c = node("node-c", stores().secondInstance(), eventsC);
    TimerState now = c.timers().get("standup");

    assertThat(now.status()).isEqualTo(TimerStatus.RUNNING);
    assertThat(now.round()).isEqualTo(7);
    assertThat(now.phaseIndex()).isZero();
    assertThat(now.endsAt()).isEqualTo(started.endsAt().plus(Duration.ofMinutes(180)));
    assertThat(now.remainingMs()).isEqualTo(Duration.ofMinutes(8).toMillis());
    assertThat(now.version()).isEqualTo(started.version() + 1);
    // The node's start-up recovery may win the advance on its scheduler thread, publishing just
    // after get() returned the advanced state: wait for the event, then require exactly one.
    awaitAtLeastOne(eventsC, TimerChanged.class);
    assertThat(ofType(eventsC, TimerChanged.class)).hasSize(1);
  }

  private static void awaitAtLeastOne(List<FlowSyncEvent> events, Class<?> type) {
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !ofType(events, type).isEmpty());
  }

  @Test
  @DisplayName("two instances admitting 16 connections into a room of capacity 8 admit exactly 8")
  void capacityAcrossInstances() throws Exception {
    requireCapability(StoreCapability.PRESENCE);
    requireCapability(StoreCapability.NODE_LEASES);
    List<FlowSyncEvent> eventsA = events();
    List<FlowSyncEvent> eventsB = events();
    FlowSync a = node("node-a", stores(), eventsA);
    FlowSync b = node("node-b", stores().secondInstance(), eventsB);
    a.rooms().create(new RoomSpec("standup", null, 8, null, null, null, null));
    AccessToken token = a.tokens().issue("u1", "Ana", null, null).claims();

    List<Throwable> failures =
        Race.run(
            16,
            i ->
                catchThrowable(
                    () ->
                        (i % 2 == 0 ? a : b)
                            .presence()
                            .join(token, "c" + i, "standup", null, null)));

    assertThat(failures).filteredOn(f -> f == null).hasSize(8);
    assertThat(failures).filteredOn(f -> f instanceof RoomFullException).hasSize(8);
    assertThat(a.presence().members("standup")).hasSize(8);
    assertThat(
            ofType(eventsA, MemberJoined.class).size() + ofType(eventsB, MemberJoined.class).size())
        .isEqualTo(8);
  }

  @Test
  @DisplayName("two instances sending 100 messages to one room store seq 1..100, in order per node")
  void chatAcrossInstances() throws Exception {
    requireCapability(StoreCapability.MESSAGES);
    List<FlowSyncEvent> eventsA = events();
    List<FlowSyncEvent> eventsB = events();
    FlowSync a = node("node-a", stores(), eventsA);
    FlowSync b = node("node-b", stores().secondInstance(), eventsB);

    Race.run(
        4,
        w -> {
          for (int i = 0; i < 25; i++) {
            (w % 2 == 0 ? a : b).chat().send("standup", "u" + w, "User " + w, "m" + i, null);
          }
          return null;
        });

    List<Long> seqA =
        ofType(eventsA, ChatMessagePosted.class).stream().map(e -> e.message().seq()).toList();
    List<Long> seqB =
        ofType(eventsB, ChatMessagePosted.class).stream().map(e -> e.message().seq()).toList();
    assertThat(seqA).isSorted();
    assertThat(seqB).isSorted();
    List<Long> all = new ArrayList<>(seqA);
    all.addAll(seqB);
    assertThat(all)
        .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 100).boxed().toList());
    assertThat(a.chat().after("standup", 0, 200).messages())
        .extracting(ChatMessage::seq)
        .isEqualTo(LongStream.rangeClosed(1, 100).boxed().toList());
  }
}

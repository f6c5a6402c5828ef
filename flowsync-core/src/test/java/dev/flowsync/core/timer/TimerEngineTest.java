package dev.flowsync.core.timer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flowsync.core.FlowSync;
import dev.flowsync.core.FlowSyncException.BadRequestException;
import dev.flowsync.core.FlowSyncException.ConflictException;
import dev.flowsync.core.FlowSyncException.ForbiddenException;
import dev.flowsync.core.FlowSyncException.NotFoundException;
import dev.flowsync.core.Page;
import dev.flowsync.core.event.TimerChanged;
import dev.flowsync.core.room.Room;
import dev.flowsync.core.room.RoomSpec;
import dev.flowsync.core.room.RoomStore;
import dev.flowsync.core.room.TimerControl;
import dev.flowsync.core.store.Stores;
import dev.flowsync.core.store.memory.InMemoryRoomStore;
import dev.flowsync.core.store.memory.InMemoryStores;
import dev.flowsync.core.support.Harness;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("TimerEngine")
class TimerEngineTest {
  private static final long FOCUS = Duration.ofMinutes(25).toMillis();
  private static final long BREAK = Duration.ofMinutes(5).toMillis();
  private static final List<Phase> POMODORO =
      List.of(new Phase("focus", FOCUS), new Phase("break", BREAK));

  private final Harness h = Harness.create();
  private final TimerEngine timers = h.flowSync.timers();

  @BeforeEach
  void room() {
    h.flowSync.rooms().create(RoomSpec.of("r"));
  }

  @AfterEach
  void close() {
    h.close();
  }

  private Instant at(long millisAfterStart) {
    return Harness.T0.plusMillis(millisAfterStart);
  }

  @Nested
  @DisplayName("commands")
  class Commands {
    @Test
    @DisplayName("a room without a timer reads as idle at version 0")
    void idle() {
      assertThat(timers.get("r")).isEqualTo(TimerState.idle());
    }

    @Test
    @DisplayName("start runs the first phase, round 1, ending after its duration; announced")
    void start() {
      TimerState s = timers.start("r", "u1", POMODORO, true);

      assertThat(s)
          .isEqualTo(
              new TimerState(TimerStatus.RUNNING, POMODORO, 0, 1, true, at(FOCUS), FOCUS, 1, "u1"));
      assertThat(h.events(TimerChanged.class))
          .containsExactly(new TimerChanged("r", s, true, Harness.T0));
    }

    @Test
    @DisplayName("while running, remainingMs counts down with the clock and endsAt stays")
    void countsDown() {
      timers.start("r", "u1", POMODORO, false);
      h.clock.advance(Duration.ofMinutes(10));

      TimerState s = timers.get("r");

      assertThat(s.remainingMs()).isEqualTo(Duration.ofMinutes(15).toMillis());
      assertThat(s.endsAt()).isEqualTo(at(FOCUS));
      assertThat(s.version()).isEqualTo(1);
    }

    @Test
    @DisplayName("pause freezes the remaining time; the clock moving does not change it")
    void pause() {
      timers.start("r", "u1", POMODORO, false);
      h.clock.advance(Duration.ofMinutes(10));

      TimerState paused = timers.pause("r", "u2");
      h.clock.advance(Duration.ofHours(3));

      assertThat(paused.status()).isEqualTo(TimerStatus.PAUSED);
      assertThat(paused.endsAt()).isNull();
      assertThat(paused.remainingMs()).isEqualTo(Duration.ofMinutes(15).toMillis());
      assertThat(paused.updatedBy()).isEqualTo("u2");
      assertThat(timers.get("r")).isEqualTo(paused);
      assertThat(h.events(TimerChanged.class).get(1).phaseStarted()).isFalse();
    }

    @Test
    @DisplayName("resume runs on from the frozen remaining time")
    void resume() {
      timers.start("r", "u1", POMODORO, false);
      h.clock.advance(Duration.ofMinutes(10));
      timers.pause("r", "u1");
      Instant resumedAt = h.clock.advance(Duration.ofHours(1));

      TimerState s = timers.resume("r", "u1");

      assertThat(s.status()).isEqualTo(TimerStatus.RUNNING);
      assertThat(s.endsAt()).isEqualTo(resumedAt.plus(Duration.ofMinutes(15)));
      assertThat(s.phaseIndex()).isZero();
    }

    @Test
    @DisplayName("reset goes back to idle at the first phase, keeping the phases")
    void reset() {
      timers.start("r", "u1", POMODORO, true);
      timers.skip("r", "u1");

      TimerState s = timers.reset("r", "u1");

      assertThat(s)
          .isEqualTo(new TimerState(TimerStatus.IDLE, POMODORO, 0, 1, true, null, FOCUS, 3, "u1"));
    }

    @Test
    @DisplayName("skip ends the current phase now and starts the next; announced as a phase start")
    void skip() {
      timers.start("r", "u1", POMODORO, false);
      Instant now = h.clock.advance(Duration.ofMinutes(3));

      TimerState s = timers.skip("r", "u1");

      assertThat(s.phaseIndex()).isEqualTo(1);
      assertThat(s.endsAt()).isEqualTo(now.plusMillis(BREAK));
      assertThat(h.events(TimerChanged.class).get(1).phaseStarted()).isTrue();
    }

    @Test
    @DisplayName("skip of the last phase finishes a timer that does not repeat")
    void skipLast() {
      timers.start("r", "u1", POMODORO, false);
      timers.skip("r", "u1");

      TimerState s = timers.skip("r", "u1");

      assertThat(s.status()).isEqualTo(TimerStatus.FINISHED);
      assertThat(s.endsAt()).isNull();
      assertThat(s.remainingMs()).isZero();
    }

    @Test
    @DisplayName("skip of the last phase of a repeating timer starts the next round")
    void skipLastRepeat() {
      timers.start("r", "u1", POMODORO, true);
      timers.skip("r", "u1");

      TimerState s = timers.skip("r", "u1");

      assertThat(s.status()).isEqualTo(TimerStatus.RUNNING);
      assertThat(s.phaseIndex()).isZero();
      assertThat(s.round()).isEqualTo(2);
    }

    @Test
    @DisplayName("skip while paused moves to the next phase and stays paused with its full time")
    void skipPaused() {
      timers.start("r", "u1", POMODORO, false);
      timers.pause("r", "u1");

      TimerState s = timers.skip("r", "u1");

      assertThat(s.status()).isEqualTo(TimerStatus.PAUSED);
      assertThat(s.phaseIndex()).isEqualTo(1);
      assertThat(s.remainingMs()).isEqualTo(BREAK);
    }

    @Test
    @DisplayName("a finished timer can be started again")
    void restart() {
      timers.start("r", "u1", List.of(new Phase("one", 1000)), false);
      h.clock.advanceMillis(1000);
      assertThat(timers.get("r").status()).isEqualTo(TimerStatus.FINISHED);

      assertThat(timers.start("r", "u1", POMODORO, false).status()).isEqualTo(TimerStatus.RUNNING);
    }

    @Test
    @DisplayName("version increases by exactly 1 per change")
    void versions() {
      List<Long> versions = new ArrayList<>();
      versions.add(timers.start("r", "u1", POMODORO, true).version());
      versions.add(timers.pause("r", "u1").version());
      versions.add(timers.resume("r", "u1").version());
      versions.add(timers.skip("r", "u1").version());
      h.clock.advanceMillis(BREAK); // a phase end is a change too
      versions.add(timers.get("r").version());
      versions.add(timers.reset("r", "u1").version());

      assertThat(versions).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
      assertThat(h.events(TimerChanged.class))
          .extracting(e -> e.timer().version())
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    }
  }

  @Nested
  @DisplayName("commands that do not fit")
  class Refusals {
    @Test
    @DisplayName("start while running or paused answers conflict")
    void startConflict() {
      timers.start("r", "u1", POMODORO, false);
      assertThatThrownBy(() -> timers.start("r", "u1", POMODORO, false))
          .isInstanceOf(ConflictException.class)
          .hasMessageContaining("running");
      timers.pause("r", "u1");
      assertThatThrownBy(() -> timers.start("r", "u1", POMODORO, false))
          .isInstanceOf(ConflictException.class)
          .hasMessageContaining("paused");
    }

    @Test
    @DisplayName("pause unless running, resume unless paused, answer conflict")
    void pauseResumeConflict() {
      assertThatThrownBy(() -> timers.pause("r", "u1")).isInstanceOf(ConflictException.class);
      assertThatThrownBy(() -> timers.resume("r", "u1")).isInstanceOf(ConflictException.class);
      timers.start("r", "u1", POMODORO, false);
      assertThatThrownBy(() -> timers.resume("r", "u1")).isInstanceOf(ConflictException.class);
      timers.pause("r", "u1");
      assertThatThrownBy(() -> timers.pause("r", "u1")).isInstanceOf(ConflictException.class);
    }

    @Test
    @DisplayName("reset when idle, skip when idle or finished, answer conflict")
    void resetSkipConflict() {
      assertThatThrownBy(() -> timers.reset("r", "u1")).isInstanceOf(ConflictException.class);
      assertThatThrownBy(() -> timers.skip("r", "u1")).isInstanceOf(ConflictException.class);
      timers.start("r", "u1", List.of(new Phase("one", 1000)), false);
      timers.skip("r", "u1");
      assertThatThrownBy(() -> timers.skip("r", "u1"))
          .isInstanceOf(ConflictException.class)
          .hasMessageContaining("finished");
    }

    @Test
    @DisplayName("a refused command changes nothing and announces nothing")
    void refusalChangesNothing() {
      TimerState s = timers.start("r", "u1", POMODORO, false);
      h.clearEvents();

      assertThatThrownBy(() -> timers.resume("r", "u1")).isInstanceOf(ConflictException.class);

      assertThat(timers.get("r")).isEqualTo(s);
      assertThat(h.events()).isEmpty();
    }

    @Test
    @DisplayName("bad phases answer bad_request: none, 33, over 7 days, empty or 65-char names")
    void badPhases() {
      assertThatThrownBy(() -> timers.start("r", "u1", List.of(), false))
          .isInstanceOf(BadRequestException.class);
      assertThatThrownBy(() -> timers.start("r", "u1", null, false))
          .isInstanceOf(BadRequestException.class);
      List<Phase> many = IntStream.range(0, 33).mapToObj(i -> new Phase("p" + i, 1000)).toList();
      assertThatThrownBy(() -> timers.start("r", "u1", many, false))
          .isInstanceOf(BadRequestException.class);
      assertThatThrownBy(
              () ->
                  timers.start(
                      "r",
                      "u1",
                      List.of(new Phase("long", Duration.ofDays(7).toMillis() + 1)),
                      false))
          .isInstanceOf(BadRequestException.class);
      assertThatThrownBy(() -> timers.start("r", "u1", List.of(new Phase("", 1000)), false))
          .isInstanceOf(BadRequestException.class);
      assertThatThrownBy(
              () -> timers.start("r", "u1", List.of(new Phase("n".repeat(65), 1000)), false))
          .isInstanceOf(BadRequestException.class);
      assertThat(timers.start("r", "u1", many.subList(0, 32), false).phases()).hasSize(32);
    }

    @Test
    @DisplayName("a command on an unknown room answers not_found")
    void unknownRoom() {
      assertThatThrownBy(() -> timers.start("nope", "u1", POMODORO, false))
          .isInstanceOf(NotFoundException.class);
    }

    @Test
    @DisplayName("in an owner-controlled room only the owner may control the timer")
    void ownerOnly() {
      h.flowSync
          .rooms()
          .create(new RoomSpec("owned", null, null, null, TimerControl.OWNER, "boss", null));

      assertThatThrownBy(() -> timers.start("owned", "u1", POMODORO, false))
          .isInstanceOf(ForbiddenException.class);
      assertThatThrownBy(() -> timers.start("owned", null, POMODORO, false))
          .isInstanceOf(ForbiddenException.class);
      timers.start("owned", "boss", POMODORO, false);
      assertThatThrownBy(() -> timers.pause("owned", "u1")).isInstanceOf(ForbiddenException.class);
      assertThat(timers.pause("owned", "boss").status()).isEqualTo(TimerStatus.PAUSED);
    }

    @Test
    @DisplayName("in a room where anyone controls the timer, every user may")
    void anyone() {
      timers.start("r", "u1", POMODORO, false);

      assertThat(timers.pause("r", "u2").updatedBy()).isEqualTo("u2");
    }
  }

  @Nested
  @DisplayName("after the store lost its timers (Redis restarted empty)")
  class StoreLoss {
    @Test
    @DisplayName("the running timer is written back as it was and its phase still ends once")
    void runningWrittenBack() {
      TimerState started = timers.start("r", "u1", POMODORO, false);
      h.stores.timers().delete("r");

      assertThat(timers.restoreKnown()).isEqualTo(1);
      assertThat(h.stores.timers().find("r")).contains(started);
      h.clock.advanceMillis(FOCUS);
      assertThat(timers.get("r").phaseIndex()).isEqualTo(1);
      assertThat(timers.get("r").version()).isEqualTo(2);
      assertThat(h.events(TimerChanged.class)).hasSize(2);
    }

    @Test
    @DisplayName("two nodes that both knew the timer write it back once; a paused one too")
    void twoNodesOnce() {
      try (Harness peer = h.peer("node-b")) {
        timers.start("r", "u1", POMODORO, false);
        TimerState paused = timers.pause("r", "u1");
        peer.flowSync.timers().watch("r");
        h.stores.timers().delete("r");

        int stored = timers.restoreKnown() + peer.flowSync.timers().restoreKnown();

        assertThat(stored).isEqualTo(1);
        assertThat(h.stores.timers().find("r")).contains(paused);
      }
    }

    @Test
    @DisplayName("nothing older is written over a newer state, and a reset timer is not revived")
    void neverOlder() {
      timers.start("r", "u1", POMODORO, false);
      timers.reset("r", "u1");
      assertThat(timers.restoreKnown()).isZero();

      timers.start("r", "u1", POMODORO, false);
      TimerState newer =
          new TimerState(TimerStatus.FINISHED, POMODORO, 1, 1, false, null, 0, 9, null);
      h.stores.timers().compareAndSet("r", 3, newer);
      assertThat(timers.restoreKnown()).isZero();
      assertThat(h.stores.timers().find("r")).contains(newer);
    }
  }

  @Nested
  @DisplayName("phase ends")
  class PhaseEnds {
    @Test
    @DisplayName("a phase ends exactly at endsAt, not a millisecond before")
    void boundary() {
      timers.start("r", "u1", POMODORO, false);

      h.clock.advanceMillis(FOCUS - 1);
      assertThat(timers.get("r").phaseIndex()).isZero();
      h.clock.advanceMillis(1);
      TimerState s = timers.get("r");

      assertThat(s.phaseIndex()).isEqualTo(1);
      assertThat(s.endsAt()).isEqualTo(at(FOCUS + BREAK));
      assertThat(s.updatedBy()).isNull();
      assertThat(h.events(TimerChanged.class).get(1).phaseStarted()).isTrue();
    }

    @Test
    @DisplayName("after a long gap a repeating timer lands on the exact phase, round and endsAt")
    void catchUpRepeat() {
      timers.start("r", "u1", POMODORO, true);
      h.clock.advance(Duration.ofMinutes(3 * 60 + 17 + 30)); // 7 rounds of 30 min, then 17 min

      TimerState s = timers.get("r");

      assertThat(s.status()).isEqualTo(TimerStatus.RUNNING);
      assertThat(s.round()).isEqualTo(8);
      assertThat(s.phaseIndex()).isZero();
      assertThat(s.endsAt()).isEqualTo(at(Duration.ofMinutes(7 * 30 + 25).toMillis()));
      assertThat(s.remainingMs()).isEqualTo(Duration.ofMinutes(8).toMillis());
      assertThat(s.version()).isEqualTo(2);
      assertThat(h.events(TimerChanged.class)).hasSize(2);
    }

    @Test
    @DisplayName("a gap ending inside a break lands in that break")
    void catchUpInBreak() {
      timers.start("r", "u1", POMODORO, true);
      h.clock.advance(Duration.ofMinutes(60 + 27));

      TimerState s = timers.get("r");

      assertThat(s.round()).isEqualTo(3);
      assertThat(s.phaseIndex()).isEqualTo(1);
      assertThat(s.endsAt()).isEqualTo(at(Duration.ofMinutes(90).toMillis()));
    }

    @Test
    @DisplayName("a gap ending exactly on a round boundary starts the next round")
    void catchUpOnBoundary() {
      timers.start("r", "u1", POMODORO, true);
      h.clock.advance(Duration.ofMinutes(60));

      TimerState s = timers.get("r");

      assertThat(s.round()).isEqualTo(3);
      assertThat(s.phaseIndex()).isZero();
      assertThat(s.remainingMs()).isEqualTo(FOCUS);
    }

    @Test
    @DisplayName("a timer that does not repeat finishes after its last phase, once")
    void finishes() {
      timers.start("r", "u1", POMODORO, false);
      h.clock.advance(Duration.ofDays(2));

      TimerState s = timers.get("r");
      TimerState again = timers.get("r");

      assertThat(s.status()).isEqualTo(TimerStatus.FINISHED);
      assertThat(s.phaseIndex()).isEqualTo(1);
      assertThat(s.round()).isEqualTo(1);
      assertThat(s.version()).isEqualTo(2);
      assertThat(again).isEqualTo(s);
      assertThat(h.events(TimerChanged.class)).hasSize(2);
    }

    @Test
    @DisplayName("a command after a gap first applies the phase ends, then itself")
    void commandAfterGap() {
      timers.start("r", "u1", POMODORO, false);
      h.clock.advance(Duration.ofMinutes(27));

      TimerState paused = timers.pause("r", "u1");

      assertThat(paused.phaseIndex()).isEqualTo(1);
      assertThat(paused.remainingMs()).isEqualTo(Duration.ofMinutes(3).toMillis());
      assertThat(paused.version()).isEqualTo(3);
    }

    @Test
    @DisplayName("a deleted room's timer is gone")
    void deletedRoom() {
      timers.start("r", "u1", POMODORO, false);

      h.flowSync.rooms().delete("r");

      assertThat(timers.get("r")).isEqualTo(TimerState.idle());
    }
  }

  @Nested
  @DisplayName("scheduled wake-ups (real clock)")
  class WakeUps {
    @Test
    @DisplayName("a phase end is applied and announced by the scheduler without anyone reading")
    void wakesUp() {
      List<TimerChanged> seen = Collections.synchronizedList(new ArrayList<>());
      try (FlowSync fs = FlowSync.builder().listener(e -> record(e, seen)).build()) {
        fs.rooms().create(RoomSpec.of("r"));
        fs.timers().start("r", "u1", List.of(new Phase("a", 300), new Phase("b", 300)), false);

        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> seen.stream().anyMatch(e -> e.timer().status() == TimerStatus.FINISHED));

        assertThat(seen).extracting(e -> e.timer().version()).containsExactly(1L, 2L, 3L);
      }
    }

    @Test
    @DisplayName(
        "two instances over shared stores, both awake for one timer, advance it once per phase end")
    void twoInstances() {
      Stores shared = InMemoryStores.create();
      List<TimerChanged> seen = Collections.synchronizedList(new ArrayList<>());
      try (FlowSync a =
              FlowSync.builder().stores(shared).nodeId("a").listener(e -> record(e, seen)).build();
          FlowSync b =
              FlowSync.builder()
                  .stores(shared)
                  .nodeId("b")
                  .listener(e -> record(e, seen))
                  .build()) {
        a.rooms().create(RoomSpec.of("r"));
        a.timers().start("r", "u1", List.of(new Phase("a", 400), new Phase("b", 400)), false);
        b.timers().watch("r");

        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> seen.stream().anyMatch(e -> e.timer().status() == TimerStatus.FINISHED));
        // Both wake-ups for the last phase end have fired well within 300 ms; none may add a
        // change.
        await()
            .during(Duration.ofMillis(300))
            .atMost(Duration.ofSeconds(2))
            .until(() -> seen.size() == 3);

        assertThat(seen).extracting(e -> e.timer().version()).containsExactly(1L, 2L, 3L);
      }
    }

    private void record(dev.flowsync.core.event.FlowSyncEvent e, List<TimerChanged> seen) {
      if (e instanceof TimerChanged t) {
        seen.add(t);
      }
    }
  }

  @Test
  @DisplayName("a command racing a delete of its room never leaves a timer for a re-created room")
  void commandRacingDelete() throws Exception {
    CountDownLatch lookedUp = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<Thread> commander = new AtomicReference<>();
    RoomStore pausing = new InMemoryRoomStore();
    RoomStore store =
        new RoomStore() {
          @Override
          public boolean create(Room room) {
            return pausing.create(room);
          }

          @Override
          public Optional<Room> find(String id) {
            Optional<Room> found = pausing.find(id);
            if (Thread.currentThread() == commander.get()) {
              lookedUp.countDown();
              try {
                release.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return found;
          }

          @Override
          public Page<Room> list(int limit, String cursor) {
            return pausing.list(limit, cursor);
          }

          @Override
          public boolean delete(String id) {
            return pausing.delete(id);
          }
        };
    try (Harness hr = Harness.create(InMemoryStores.create().withRooms(store), b -> b)) {
      hr.flowSync.rooms().create(RoomSpec.of("r"));
      CompletableFuture<TimerState> start =
          CompletableFuture.supplyAsync(
              () -> {
                commander.set(Thread.currentThread());
                return hr.flowSync.timers().start("r", "u1", POMODORO, false);
              });
      assertThat(lookedUp.await(10, TimeUnit.SECONDS)).isTrue();
      Thread deleter = new Thread(() -> hr.flowSync.rooms().delete("r"));
      deleter.start();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !deleter.isAlive() || deleter.getState() == Thread.State.WAITING);
      release.countDown();
      start.handle((s, e) -> s).get(10, TimeUnit.SECONDS);
      deleter.join(10_000);
      commander.set(null);

      hr.flowSync.rooms().create(RoomSpec.of("r"));

      assertThat(hr.flowSync.timers().get("r")).isEqualTo(TimerState.idle());
    }
  }
}

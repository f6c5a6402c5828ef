package dev.flowsync.store.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowsync.core.timer.Phase;
import dev.flowsync.core.timer.TimerState;
import dev.flowsync.core.timer.TimerStatus;
import dev.flowsync.core.timer.TimerStore;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The contract of {@link TimerStore}. */
@DisplayName("TimerStore")
public abstract class TimerStoreContract extends StoreContract {
  private static final List<Phase> PHASES =
      List.of(new Phase("focus", 1_500_000), new Phase("break ☕", 300_000));

  /** Skips these contracts for a backend without a timer store. */
  @BeforeEach
  protected final void requireTimerStore() {
    requireCapability(StoreCapability.TIMERS);
  }

  private TimerStore timers() {
    return stores().timers();
  }

  private TimerState running(long version, String by) {
    return new TimerState(
        TimerStatus.RUNNING,
        PHASES,
        0,
        1,
        true,
        clock.instant().plusMillis(1_500_000),
        1_500_000,
        version,
        by);
  }

  private TimerState paused(long version) {
    return new TimerState(TimerStatus.PAUSED, PHASES, 1, 3, false, null, 1234, version, null);
  }

  /** Versioned writes. */
  @Nested
  @DisplayName("compare-and-set")
  class CompareAndSet {
    @Test
    @DisplayName("a room without a timer has none")
    void none() {
      assertThat(timers().find("r")).isEmpty();
    }

    @Test
    @DisplayName("the first write expects version 0, and find returns the state field for field")
    void firstWrite() {
      TimerState s = running(1, "u42");

      assertThat(timers().compareAndSet("r", 0, s)).isTrue();

      assertThat(timers().find("r")).contains(s);
    }

    @Test
    @DisplayName("a state without endsAt and without updatedBy round-trips with both null")
    void nullsRoundTrip() {
      TimerState s = paused(1);
      timers().compareAndSet("r", 0, s);

      assertThat(timers().find("r")).contains(s);
    }

    @Test
    @DisplayName("every status round-trips")
    void everyStatus() {
      long v = 0;
      for (TimerStatus status : TimerStatus.values()) {
        TimerState s =
            new TimerState(
                status,
                PHASES,
                1,
                2,
                false,
                status == TimerStatus.RUNNING ? clock.instant() : null,
                10,
                v + 1,
                "u1");
        assertThat(timers().compareAndSet("r", v, s)).isTrue();
        assertThat(timers().find("r")).contains(s);
        v++;
      }
    }

    @Test
    @DisplayName("each write must name the version stored before it")
    void chain() {
      for (long v = 1; v <= 5; v++) {
        assertThat(timers().compareAndSet("r", v - 1, running(v, "u" + v))).isTrue();
      }

      assertThat(timers().find("r").orElseThrow().version()).isEqualTo(5);
    }

    @Test
    @DisplayName("a write with a stale version is refused and changes nothing")
    void stale() {
      TimerState v1 = running(1, "u1");
      timers().compareAndSet("r", 0, v1);
      timers().compareAndSet("r", 1, paused(2));

      assertThat(timers().compareAndSet("r", 1, running(2, "late"))).isFalse();

      assertThat(timers().find("r")).contains(paused(2));
    }

    @Test
    @DisplayName("expecting version 0 when a timer is stored is refused")
    void zeroWhenStored() {
      timers().compareAndSet("r", 0, running(1, "u1"));

      assertThat(timers().compareAndSet("r", 0, running(1, "u2"))).isFalse();
      assertThat(timers().find("r").orElseThrow().updatedBy()).isEqualTo("u1");
    }

    @Test
    @DisplayName("expecting a version when nothing is stored is refused")
    void versionWhenEmpty() {
      assertThat(timers().compareAndSet("r", 3, running(4, "u1"))).isFalse();
      assertThat(timers().find("r")).isEmpty();
    }

    @Test
    @DisplayName("rooms have independent timers and versions")
    void independentRooms() {
      timers().compareAndSet("a", 0, running(1, "u1"));

      assertThat(timers().compareAndSet("b", 0, paused(1))).isTrue();
      assertThat(timers().find("a")).contains(running(1, "u1"));
    }
  }

  /** Forgetting timers. */
  @Nested
  @DisplayName("deleting")
  class Deleting {
    @Test
    @DisplayName("delete forgets the timer, and the next write expects version 0 again")
    void delete() {
      timers().compareAndSet("r", 0, running(1, "u1"));

      timers().delete("r");

      assertThat(timers().find("r")).isEmpty();
      assertThat(timers().compareAndSet("r", 0, running(1, "u2"))).isTrue();
    }

    @Test
    @DisplayName("deleting a room without a timer is harmless")
    void deleteUnknown() {
      timers().delete("never");

      assertThat(timers().find("never")).isEmpty();
    }
  }

  /** What engines schedule at start-up. */
  @Nested
  @DisplayName("running timers")
  class Running {
    @Test
    @DisplayName("running() returns exactly the running timers, by room")
    void onlyRunning() {
      timers().compareAndSet("run-1", 0, running(1, "u1"));
      timers().compareAndSet("run-2", 0, running(1, "u2"));
      timers().compareAndSet("paused", 0, paused(1));
      timers().compareAndSet("stopped", 0, running(1, "u3"));
      timers()
          .compareAndSet(
              "stopped",
              1,
              new TimerState(TimerStatus.FINISHED, PHASES, 1, 1, false, null, 0, 2, null));

      assertThat(timers().running())
          .containsOnlyKeys("run-1", "run-2")
          .containsEntry("run-1", running(1, "u1"))
          .containsEntry("run-2", running(1, "u2"));
    }

    @Test
    @DisplayName("a deleted timer is not running")
    void deletedNotRunning() {
      timers().compareAndSet("r", 0, running(1, "u1"));
      timers().delete("r");

      assertThat(timers().running()).isEmpty();
    }
  }

  /** Writing back what a node remembers after the store lost it. */
  @Nested
  @DisplayName("restore")
  class Restore {
    @Test
    @DisplayName("a remembered timer is written into an empty store, and is running again")
    void intoEmpty() {
      assertThat(timers().restore("r", running(5, "u1"))).isTrue();

      assertThat(timers().find("r")).contains(running(5, "u1"));
      assertThat(timers().running()).containsOnlyKeys("r");
    }

    @Test
    @DisplayName("a restore never overwrites an equal or newer version; an older one it replaces")
    void newestWins() {
      timers().compareAndSet("r", 0, running(1, "u1"));
      timers().compareAndSet("r", 1, paused(2));

      assertThat(timers().restore("r", running(2, "other node"))).isFalse();
      assertThat(timers().restore("r", running(1, "stale node"))).isFalse();
      assertThat(timers().find("r")).contains(paused(2));
      assertThat(timers().restore("r", running(3, "newer node"))).isTrue();
      assertThat(timers().find("r")).contains(running(3, "newer node"));
    }

    @Test
    @DisplayName("nodes restoring the same timer at once: exactly one stores it")
    void racingRestores() throws Exception {
      StoreFixture second = stores().secondInstance();

      List<Boolean> stored =
          Race.run(
              16, i -> (i % 2 == 0 ? stores() : second).timers().restore("r", running(7, "n" + i)));

      assertThat(stored).containsOnlyOnce(true);
      assertThat(timers().find("r").orElseThrow().version()).isEqualTo(7);
    }
  }

  /** Racing writers. */
  @Nested
  @DisplayName("under concurrency")
  class Concurrency {
    @Test
    @DisplayName("writers racing on one version: exactly one wins and its state is stored")
    void racingCas() throws Exception {
      timers().compareAndSet("r", 0, running(1, "start"));
      StoreFixture second = stores().secondInstance();

      List<Boolean> won =
          Race.run(
              16,
              i ->
                  (i % 2 == 0 ? stores() : second)
                      .timers()
                      .compareAndSet("r", 1, running(2, "writer-" + i)));

      assertThat(won).containsOnlyOnce(true);
      assertThat(timers().find("r").orElseThrow().updatedBy())
          .isEqualTo("writer-" + won.indexOf(true));
    }

    @Test
    @DisplayName("writers each retrying until they win apply every change exactly once")
    void retryLoop() throws Exception {
      timers().compareAndSet("r", 0, running(1, "start"));
      StoreFixture second = stores().secondInstance();

      Race.run(
          4,
          i -> {
            TimerStore t = (i % 2 == 0 ? stores() : second).timers();
            for (int n = 0; n < 25; n++) {
              while (true) {
                long v = t.find("r").orElseThrow().version();
                if (t.compareAndSet("r", v, running(v + 1, "w" + i))) {
                  break;
                }
              }
            }
            return null;
          });

      assertThat(timers().find("r").orElseThrow().version()).isEqualTo(101);
    }
  }
}

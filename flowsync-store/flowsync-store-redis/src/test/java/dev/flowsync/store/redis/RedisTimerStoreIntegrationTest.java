package dev.flowsync.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowsync.core.timer.Phase;
import dev.flowsync.core.timer.TimerState;
import dev.flowsync.core.timer.TimerStatus;
import dev.flowsync.core.timer.TimerStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RedisTimerStore")
class RedisTimerStoreIntegrationTest {
  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
  private static final List<Phase> PHASES =
      List.of(new Phase("focus", 1_500_000), new Phase("break", 300_000));

  private RedisFixture fixture;
  private TimerStore store;

  @BeforeEach
  void setUp() {
    fixture = new RedisFixture();
    store = fixture.newStores().timers();
  }

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  private static TimerState running(long version, int phase) {
    return new TimerState(
        TimerStatus.RUNNING, PHASES, phase, 1, true, T0.plusSeconds(60), 60_000, version, "u1");
  }

  private static TimerState paused(long version) {
    return new TimerState(TimerStatus.PAUSED, PHASES, 0, 1, true, null, 42_000, version, null);
  }

  @Test
  @DisplayName("stores the first version only when nothing is stored yet (expected version 0)")
  void firstWrite() {
    assertThat(store.find("r1")).isEmpty();
    assertThat(store.compareAndSet("r1", 0, running(1, 0))).isTrue();
    assertThat(store.find("r1")).contains(running(1, 0));
    assertThat(store.compareAndSet("r1", 0, running(1, 1))).isFalse();
    assertThat(store.find("r1")).contains(running(1, 0));
  }

  @Test
  @DisplayName("writes only over the expected version")
  void compareAndSet() {
    store.compareAndSet("r1", 0, running(1, 0));
    assertThat(store.compareAndSet("r1", 2, running(3, 1))).isFalse();
    assertThat(store.compareAndSet("r1", 1, paused(2))).isTrue();
    assertThat(store.find("r1")).contains(paused(2));
  }

  @Test
  @DisplayName("lists exactly the running timers, following every status change and delete")
  void runningIndex() {
    store.compareAndSet("r1", 0, running(1, 0));
    store.compareAndSet("r2", 0, running(1, 1));
    store.compareAndSet("r3", 0, paused(1));
    assertThat(store.running()).containsOnlyKeys("r1", "r2").containsEntry("r2", running(1, 1));
    store.compareAndSet("r1", 1, paused(2));
    store.delete("r2");
    assertThat(store.running()).isEmpty();
    assertThat(store.find("r2")).isEmpty();
    store.compareAndSet("r3", 1, running(2, 0));
    assertThat(store.running()).containsOnlyKeys("r3");
    store.delete("r1");
    store.delete("r3");
    assertThat(fixture.keys()).isEmpty();
  }

  @Test
  @DisplayName("of 16 writers on two nodes racing to advance the same version, exactly one wins")
  void racingCompareAndSet() throws Exception {
    TimerStore other = fixture.newStores().timers();
    store.compareAndSet("r1", 0, running(1, 0));
    List<Callable<Boolean>> writers = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      TimerStore via = i % 2 == 0 ? store : other;
      TimerState next =
          new TimerState(
              TimerStatus.RUNNING, PHASES, 1, 1, true, T0.plusSeconds(90), 300_000, 2, "w" + i);
      writers.add(() -> via.compareAndSet("r1", 1, next));
    }
    List<Boolean> results = RedisPresenceStoreIntegrationTest.runTogether(writers);
    assertThat(results).filteredOn(Boolean::booleanValue).hasSize(1);
    String winner = "w" + results.indexOf(true);
    assertThat(store.find("r1")).map(TimerState::updatedBy).contains(winner);
    assertThat(other.find("r1")).map(TimerState::version).contains(2L);
  }
}

package dev.flowsync.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrendTest {
  private static final double[] EVERY_30_S = {900, 930, 960, 990, 1020, 1050, 1080, 1110, 1140};

  @Test
  void aSteadyClimbIsALeak() {
    double[] heap = new double[EVERY_30_S.length];
    for (int i = 0; i < heap.length; i++) {
      heap[i] = 40 + i; // 1 MiB per 30 s: 2 MiB per minute, 8 MiB over the 4 minutes
    }
    Trend t = Trend.fit(EVERY_30_S, heap);
    assertEquals(2.0, t.slopePerMinute(), 1e-9);
    assertEquals(8.0, t.growth(), 1e-9);
    assertFalse(t.flatWithin(4));
  }

  @Test
  void aSawToothAroundALevelIsFlat() {
    double[] heap = {40, 46, 41, 45, 40, 46, 41, 45, 40};
    Trend t = Trend.fit(EVERY_30_S, heap);
    assertTrue(t.flatWithin(2), "growth " + t.growth());
  }

  @Test
  void oneSpikeAtTheEndDoesNotDecideAlone() {
    double[] threads = {30, 30, 30, 30, 30, 30, 30, 30, 36};
    Trend t = Trend.fit(EVERY_30_S, threads);
    // "last minus first" would say 6; the fit spreads the single spike over the span
    assertTrue(t.growth() < 3.5, "growth " + t.growth());
  }

  @Test
  void fallingIsFlat() {
    double[] rss = {300, 290, 280, 270, 260, 250, 240, 230, 220};
    assertTrue(Trend.fit(EVERY_30_S, rss).flatWithin(0));
  }

  @Test
  void tooFewSamplesAreFlat() {
    assertEquals(0, Trend.fit(new double[] {1}, new double[] {5}).growth());
  }
}

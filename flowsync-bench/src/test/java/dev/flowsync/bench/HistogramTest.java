package dev.flowsync.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HistogramTest {

  @Test
  @DisplayName("percentiles of 1..100000 are within the histogram's 1/64 precision")
  void percentilesAreWithinPrecision() {
    Histogram h = new Histogram();
    for (int v = 1; v <= 100_000; v++) {
      h.record(v);
    }
    assertThat(h.count()).isEqualTo(100_000);
    assertThat((double) h.percentile(50)).isCloseTo(50_000, within(50_000 / 64.0));
    assertThat((double) h.percentile(99)).isCloseTo(99_000, within(99_000 / 64.0));
    assertThat((double) h.max()).isCloseTo(100_000, within(100_000 / 64.0));
  }

  @Test
  @DisplayName("small values are exact")
  void smallValuesAreExact() {
    Histogram h = new Histogram();
    for (int v = 0; v < 64; v++) {
      h.record(v);
    }
    assertThat(h.percentile(50)).isEqualTo(31);
    assertThat(h.max()).isEqualTo(63);
  }

  @Test
  @DisplayName("a histogram handed between processes as text merges into the same percentiles")
  void encodeDecodeMerge() {
    Histogram a = new Histogram();
    Histogram b = new Histogram();
    for (int v = 0; v < 1000; v++) {
      a.record(v * 7L);
      b.record(v * 13L);
    }
    Histogram merged = new Histogram();
    merged.add(Histogram.decode(a.encode()));
    merged.add(Histogram.decode(b.encode()));
    Histogram direct = new Histogram();
    direct.add(a);
    direct.add(b);
    assertThat(merged.count()).isEqualTo(2000);
    assertThat(merged.percentile(99)).isEqualTo(direct.percentile(99));
    assertThat(merged.percentile(50)).isEqualTo(direct.percentile(50));
  }

  @Test
  @DisplayName("an empty histogram reports zeros")
  void emptyIsZero() {
    Histogram h = new Histogram();
    assertThat(h.percentile(99)).isZero();
    assertThat(h.max()).isZero();
    assertThat(Histogram.decode("").count()).isZero();
  }
}

package dev.flowsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HeapHistogramTest {
  private static final String BEFORE =
      """
      12345:
       num     #instances         #bytes  class name (module)
      -------------------------------------------------------
         1:          1000          64000  [B (java.base@17.0.15)
         2:            10            480  java.util.HashMap (java.base@17.0.15)
      Total          1010          64480
      """;
  private static final String AFTER =
      """
      12345:
       num     #instances         #bytes  class name (module)
      -------------------------------------------------------
         1:          3000         164000  [B (java.base@17.0.15)
         2:           100           4000  dev.flowsync.signaling.GatewaySession
         3:             5            240  java.util.HashMap (java.base@17.0.15)
      Total          3105         168240
      """;

  @Test
  @DisplayName(
      "growth per class between two jcmd histograms, biggest first, shrunk classes left out")
  void growth() {
    var grown = HeapHistogram.parse(AFTER).growthSince(HeapHistogram.parse(BEFORE));
    assertThat(grown)
        .extracting(HeapHistogram.Growth::className)
        .containsExactly("[B", "dev.flowsync.signaling.GatewaySession");
    assertThat(grown.get(0).instances()).isEqualTo(2000);
    assertThat(grown.get(0).bytes()).isEqualTo(100_000);
  }

  @Test
  @DisplayName("prints bytes per connection by class and by area of the stack")
  void perConnection() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    HeapHistogram.print(
        new PrintStream(buf, true, StandardCharsets.UTF_8),
        HeapHistogram.parse(BEFORE),
        HeapHistogram.parse(AFTER),
        100);
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(out)
        .contains("1040 bytes per connection")
        .contains("| `[B` | 20.0 | 1000 |")
        .contains("| FlowSync | 40 |");
  }

  @Test
  @DisplayName("the soak's view: net change of the live heap and what grew, in KiB")
  void growthInKiB() {
    assertThat(HeapHistogram.parse(AFTER).totalBytes).isEqualTo(168_240);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    HeapHistogram.printGrowth(
        new PrintStream(buf, true, StandardCharsets.UTF_8),
        "between two samples",
        HeapHistogram.parse(BEFORE),
        HeapHistogram.parse(AFTER));
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(out)
        .contains("between two samples: live heap +101 KiB net, classes that grew +102 KiB")
        .contains("| `[B` | +2000 | +97.7 |")
        .doesNotContain("HashMap");
  }
}

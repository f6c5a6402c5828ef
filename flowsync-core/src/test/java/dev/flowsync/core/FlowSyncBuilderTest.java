package dev.flowsync.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("FlowSync.builder()")
class FlowSyncBuilderTest {

  private static void rejects(UnaryOperator<FlowSync.Builder> setting, String message) {
    assertThatThrownBy(() -> setting.apply(FlowSync.builder()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  @DisplayName("defaults match the protocol: 20 s grace, 50 messages of history, 2 KiB state, 24 h")
  void defaults() {
    try (FlowSync fs = FlowSync.inMemory()) {
      FlowSyncConfig c = fs.config();
      assertThat(c.autoCreateRooms()).isTrue();
      assertThat(c.resumeGrace()).isEqualTo(Duration.ofSeconds(20));
      assertThat(c.historyLimit()).isEqualTo(50);
      assertThat(c.maxStateBytes()).isEqualTo(2048);
      assertThat(c.maxTextLength()).isEqualTo(4000);
      assertThat(c.tokenTtl()).isEqualTo(Duration.ofHours(24));
      assertThat(fs.nodeId()).matches("n_[A-Za-z0-9_-]+");
    }
  }

  @Test
  @DisplayName("invalid settings fail at build() naming the setting and the value")
  void invalid() {
    rejects(b -> b.nodeId("has space"), "nodeId");
    rejects(b -> b.defaultRoomCapacity(-1), "defaultRoomCapacity must be >= 0, was -1");
    rejects(b -> b.resumeGrace(Duration.ofSeconds(-1)), "resumeGrace");
    rejects(b -> b.historyLimit(201), "historyLimit must be 0 to 200, was 201");
    rejects(b -> b.maxStateBytes(0), "maxStateBytes");
    rejects(b -> b.tokenTtl(Duration.ZERO), "tokenTtl");
    rejects(b -> b.nodeLeaseTtl(Duration.ofSeconds(1)), "nodeLeaseTtl");
  }
}

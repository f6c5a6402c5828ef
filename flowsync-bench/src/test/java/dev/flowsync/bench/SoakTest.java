package dev.flowsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs(OS.LINUX)
class SoakTest {

  @Test
  @DisplayName("measures a JVM's live heap in one jcmd step, within what that JVM has allocated")
  void liveHeapOfThisJvm() {
    Runtime rt = Runtime.getRuntime();
    byte[] keep = new byte[8 * 1024 * 1024];
    long live = Soak.liveHeapBytes(ProcessHandle.current().pid());
    assertThat(live).isGreaterThan(keep.length).isLessThanOrEqualTo(rt.totalMemory());
    assertThat(keep).hasSize(8 * 1024 * 1024);
  }
}

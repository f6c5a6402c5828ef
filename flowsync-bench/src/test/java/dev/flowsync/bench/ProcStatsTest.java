package dev.flowsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs(OS.LINUX)
class ProcStatsTest {

  @Test
  @DisplayName("reads this JVM's CPU time, RSS and threads from /proc, and its heap through jcmd")
  void readsOwnProcess() {
    long pid = ProcessHandle.current().pid();
    ProcStats.Snapshot s = ProcStats.read(pid);
    assertThat(s.rssBytes()).isGreaterThan(10L * 1024 * 1024);
    assertThat(s.threads()).isGreaterThan(1);
    assertThat(s.cpuNanos()).isGreaterThanOrEqualTo(s.userNanos()).isPositive();
    long heap = ProcStats.heapUsed(pid, false);
    assertThat(heap).as("used heap via jcmd").isPositive();
  }
}

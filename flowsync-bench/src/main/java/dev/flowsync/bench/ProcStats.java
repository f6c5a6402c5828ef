package dev.flowsync.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Linux says about a process: CPU time and thread count from {@code /proc/<pid>/stat}, RSS
 * from {@code /proc/<pid>/status}, and the Java heap through {@code jcmd} (the server is another
 * JVM, so this works for any server, FlowSync or not).
 */
public final class ProcStats {
  /** USER_HZ; 100 on every Linux we run on ({@code getconf CLK_TCK}). */
  private static final long TICKS_PER_SECOND = 100;

  private static final Pattern HEAP_USED =
      Pattern.compile("heap\\s+total\\s+(\\d+)K, used (\\d+)K");

  private ProcStats() {}

  /**
   * A snapshot of one process.
   *
   * @param cpuNanos user + system CPU time so far
   * @param userNanos user CPU time so far
   * @param rssBytes resident set size now
   * @param threads live threads
   */
  public record Snapshot(long cpuNanos, long userNanos, long rssBytes, int threads) {}

  /** Reads {@code /proc/<pid>}; {@code pid} may be {@link ProcessHandle#current()}'s. */
  public static Snapshot read(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name may contain spaces; the fields after its closing parenthesis do not.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      long utime = Long.parseLong(f[11]);
      long stime = Long.parseLong(f[12]);
      int threads = Integer.parseInt(f[17]);
      long rssKb = 0;
      for (String line :
          Files.readAllLines(
              Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          rssKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      long nanosPerTick = 1_000_000_000L / TICKS_PER_SECOND;
      return new Snapshot(
          (utime + stime) * nanosPerTick, utime * nanosPerTick, rssKb * 1024, threads);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read /proc/" + pid + ": is the process alive?", e);
    }
  }

  /** The sum over several processes (the nodes of a cluster): CPU, RSS and threads add up. */
  public static Snapshot readAll(long[] pids) {
    long cpu = 0;
    long user = 0;
    long rss = 0;
    int threads = 0;
    for (long pid : pids) {
      Snapshot s = read(pid);
      cpu += s.cpuNanos();
      user += s.userNanos();
      rss += s.rssBytes();
      threads += s.threads();
    }
    return new Snapshot(cpu, user, rss, threads);
  }

  /** {@link #heapUsed} summed over several JVMs. */
  public static long heapUsedAll(long[] pids, boolean gcFirst) {
    long sum = 0;
    for (long pid : pids) {
      sum += heapUsed(pid, gcFirst);
    }
    return sum;
  }

  /**
   * The used Java heap of another JVM, in bytes, after a full GC when {@code gcFirst} (which makes
   * it the live heap); -1 when {@code jcmd} is unavailable or says nothing usable.
   */
  public static long heapUsed(long pid, boolean gcFirst) {
    if (gcFirst) {
      jcmd(pid, "GC.run");
    }
    String out = jcmd(pid, "GC.heap_info");
    Matcher m = HEAP_USED.matcher(out);
    return m.find() ? Long.parseLong(m.group(2)) * 1024 : -1;
  }

  /**
   * The machine's count of connections dropped because a listen queue was full ({@code TcpExt
   * ListenOverflows} in {@code /proc/net/netstat}): each one is a SYN the client must send again
   * after 1 s, 3 s, ... ; -1 when unreadable.
   */
  public static long listenOverflows() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
      for (int i = 0; i + 1 < lines.size(); i++) {
        if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:")) {
          List<String> names = List.of(lines.get(i).split("\\s+"));
          String[] values = lines.get(i + 1).split("\\s+");
          int at = names.indexOf("ListenOverflows");
          return at < 0 ? -1 : Long.parseLong(values[at]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or a kernel without the counter
    }
    return -1;
  }

  /** Runs {@code jcmd <pid> <command...>} and returns its output ("" on failure). */
  public static String jcmd(long pid, String... command) {
    String javaHome = System.getProperty("java.home");
    Path jcmd = Path.of(javaHome, "bin", "jcmd");
    String exe = Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd";
    String[] cmd = new String[command.length + 2];
    cmd[0] = exe;
    cmd[1] = Long.toString(pid);
    System.arraycopy(command, 0, cmd, 2, command.length);
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}

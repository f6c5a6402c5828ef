package dev.flowsync.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A class histogram of the server's live heap ({@code jcmd <pid> GC.class_histogram}, which runs a
 * full GC first) and the difference of two of them divided by the connections held in between:
 * which classes the bytes per connection are made of.
 */
final class HeapHistogram {
  private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

  /** Class name to {instances, bytes}. */
  final Map<String, long[]> rows = new HashMap<>();

  static HeapHistogram of(long pid) {
    return parse(ProcStats.jcmd(pid, "GC.class_histogram"));
  }

  static HeapHistogram parse(String text) {
    HeapHistogram h = new HeapHistogram();
    for (String line : text.split("\n")) {
      Matcher m = ROW.matcher(line);
      if (m.find()) {
        h.rows.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
      }
    }
    return h;
  }

  /** One class's growth between two histograms. */
  record Growth(String className, long instances, long bytes) {}

  /** Classes that grew from {@code before} to this one, biggest first. */
  List<Growth> growthSince(HeapHistogram before) {
    List<Growth> grown = new ArrayList<>();
    rows.forEach(
        (name, now) -> {
          long[] then = before.rows.getOrDefault(name, new long[2]);
          if (now[1] > then[1]) {
            grown.add(new Growth(name, now[0] - then[0], now[1] - then[1]));
          }
        });
    grown.sort((a, b) -> Long.compare(b.bytes, a.bytes));
    return grown;
  }

  /**
   * The part of the stack a class belongs to. JDK classes (strings, maps, locks) cannot be
   * attributed from a histogram alone: they are counted on their own.
   */
  static String area(String className) {
    if (className.startsWith("dev.flowsync.")) {
      return "FlowSync";
    }
    if (className.startsWith("org.eclipse.jetty.ee10.websocket.")) {
      return "Jetty Jakarta WebSocket layer";
    }
    if (className.startsWith("org.eclipse.jetty.websocket.")) {
      return "Jetty WebSocket core";
    }
    if (className.startsWith("org.eclipse.jetty.")) {
      return "Jetty HTTP/servlet objects of the upgrade request";
    }
    return "JDK classes (strings, arrays, maps, locks, ...)";
  }

  /** Prints the top classes and the areas, per connection. */
  static void print(
      java.io.PrintStream out, HeapHistogram before, HeapHistogram after, long connections) {
    List<Growth> grown = after.growthSince(before);
    long n = Math.max(1, connections);
    long total = grown.stream().mapToLong(Growth::bytes).sum();
    out.printf(
        "heap histogram growth over %d connections: %.0f bytes per connection%n",
        connections, (double) total / n);
    out.println("| class | instances per connection | bytes per connection |");
    out.println("|---|---|---|");
    for (Growth g : grown.subList(0, Math.min(30, grown.size()))) {
      out.printf(
          "| `%s` | %.1f | %.0f |%n",
          g.className().replaceFirst(" \\(.*", ""),
          (double) g.instances() / n,
          (double) g.bytes() / n);
    }
    Map<String, Long> byArea = new java.util.TreeMap<>();
    grown.forEach(g -> byArea.merge(area(g.className()), g.bytes(), Long::sum));
    out.println("| area | bytes per connection |");
    out.println("|---|---|");
    byArea.forEach((area, bytes) -> out.printf("| %s | %.0f |%n", area, (double) bytes / n));
  }
}

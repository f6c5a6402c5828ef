package dev.flowsync.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A class histogram of the server's live heap ({@code jcmd <pid> GC.class_histogram}, which runs a
 * full GC first) and the difference of two of them: divided by the connections held in between,
 * which classes the bytes per connection are made of; in a soak, which classes a slow rise is.
 */
final class HeapHistogram {
  private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
  private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)");

  /** Class name to {instances, bytes}. */
  final Map<String, long[]> rows = new HashMap<>();

  /** The live heap: the histogram's total line, -1 if it had none. */
  long totalBytes = -1;

  static HeapHistogram of(long pid) {
    return parse(ProcStats.jcmd(pid, "GC.class_histogram"));
  }

  static HeapHistogram parse(String text) {
    HeapHistogram h = new HeapHistogram();
    for (String line : text.split("\n")) {
      Matcher m = ROW.matcher(line);
      if (m.find()) {
        h.rows.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
      } else if ((m = TOTAL.matcher(line)).find()) {
        h.totalBytes = Long.parseLong(m.group(2));
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
    if (className.startsWith("org.h2.")) {
      return "H2 (embedded database: page cache, chunks, sessions)";
    }
    return "JDK classes (strings, arrays, maps, locks, ...)";
  }

  /** Prints the top classes and the areas, per connection. */
  static void print(
      java.io.PrintStream out, HeapHistogram before, HeapHistogram after, long connections) {
    long n = Math.max(1, connections);
    List<Growth> grown = after.growthSince(before);
    out.printf(
        "heap histogram growth over %d connections: %.0f bytes per connection%n",
        connections, (double) total(grown) / n);
    printTables(
        out,
        grown,
        30,
        "| class | instances per connection | bytes per connection |",
        "| area | bytes per connection |",
        g -> String.format("%.1f | %.0f", (double) g.instances() / n, (double) g.bytes() / n),
        bytes -> String.format("%.0f", (double) bytes / n));
  }

  /**
   * Prints which classes and areas grew between two histograms of the same process, in KiB (the
   * soak: what a rise of the heap after GC is made of). Classes that shrank are left out, so the
   * sum can exceed the net change, which is printed too.
   */
  static void printGrowth(
      java.io.PrintStream out, String between, HeapHistogram before, HeapHistogram after) {
    List<Growth> grown = after.growthSince(before);
    out.printf(
        "heap histogram %s: live heap %+.0f KiB net, classes that grew %+.0f KiB%n",
        between, (after.totalBytes - before.totalBytes) / 1024.0, total(grown) / 1024.0);
    printTables(
        out,
        grown,
        15,
        "| class | instances grown | KiB grown |",
        "| area | KiB grown |",
        g -> String.format("%+d | %+.1f", g.instances(), g.bytes() / 1024.0),
        bytes -> String.format("%+.1f", bytes / 1024.0));
  }

  private static long total(List<Growth> grown) {
    return grown.stream().mapToLong(Growth::bytes).sum();
  }

  private static void printTables(
      java.io.PrintStream out,
      List<Growth> grown,
      int top,
      String classHeader,
      String areaHeader,
      java.util.function.Function<Growth, String> classCells,
      java.util.function.LongFunction<String> areaCell) {
    out.println(classHeader);
    out.println("|---|---|---|");
    for (Growth g : grown.subList(0, Math.min(top, grown.size()))) {
      out.printf("| `%s` | %s |%n", g.className().replaceFirst(" \\(.*", ""), classCells.apply(g));
    }
    Map<String, Long> byArea = new java.util.TreeMap<>();
    grown.forEach(g -> byArea.merge(area(g.className()), g.bytes(), Long::sum));
    out.println(areaHeader);
    out.println("|---|---|");
    byArea.forEach((area, bytes) -> out.printf("| %s | %s |%n", area, areaCell.apply(bytes)));
  }
}

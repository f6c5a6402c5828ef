package dev.flowsync.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarizes the CPU samples ({@code jdk.ExecutionSample}) of a JFR recording: the hottest methods
 * by self time (top frame), by total time (anywhere on the stack), and the share of samples per
 * code area (Jackson, Jetty, FlowSync, JDK networking, ...).
 *
 * <pre>java -cp flowsync-bench.jar dev.flowsync.bench.JfrTop recording.jfr [top-n]</pre>
 */
public final class JfrTop {
  private static final List<String[]> AREAS =
      List.of(
          new String[] {"FlowSync gateway (dev.flowsync.signaling)", "dev.flowsync.signaling."},
          new String[] {"FlowSync core (dev.flowsync.core)", "dev.flowsync.core."},
          new String[] {"FlowSync Jetty adapter (dev.flowsync.jetty)", "dev.flowsync.jetty."},
          new String[] {"bare relay endpoint", "dev.flowsync.bench.relay."},
          new String[] {"Jackson", "com.fasterxml.jackson."},
          new String[] {"Jetty WebSocket", "org.eclipse.jetty.websocket."},
          new String[] {"Jetty ee10 Jakarta WebSocket", "org.eclipse.jetty.ee10.websocket."},
          new String[] {"Jetty io/server/util", "org.eclipse.jetty."},
          new String[] {"JDK NIO (sun.nio)", "sun.nio."},
          new String[] {"JDK locks/concurrency", "java.util.concurrent."},
          new String[] {"JDK strings/UTF-8", "java.lang.String"});

  private JfrTop() {}

  /** Prints the summary. */
  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]);
    int top = args.length > 1 ? Integer.parseInt(args[1]) : 25;
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> total = new HashMap<>();
    Map<String, Integer> area = new HashMap<>();
    Map<String, Integer> threads = new HashMap<>();
    Map<String, Integer> selfArea = new HashMap<>();
    int samples = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
        continue;
      }
      RecordedStackTrace st = e.getStackTrace();
      if (st == null || st.getFrames().isEmpty()) {
        continue;
      }
      samples++;
      String thread =
          e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
      threads.merge(thread == null ? "?" : thread.replaceAll("[-#]?\\d+", "-N"), 1, Integer::sum);
      List<RecordedFrame> frames = st.getFrames();
      self.merge(name(frames.get(0)), 1, Integer::sum);
      selfArea.merge(areaOf(name(frames.get(0))), 1, Integer::sum);
      Set<String> seen = new HashSet<>();
      Set<String> areas = new HashSet<>();
      for (RecordedFrame f : frames) {
        String n = name(f);
        if (seen.add(n)) {
          total.merge(n, 1, Integer::sum);
        }
        for (String[] a : AREAS) {
          if (n.startsWith(a[1])) {
            areas.add(a[0]);
            break;
          }
        }
      }
      areas.forEach(a -> area.merge(a, 1, Integer::sum));
    }
    System.out.printf("%s: %d CPU samples%n", file.getFileName(), samples);
    print("self (top frame)", self, samples, top);
    print("total (anywhere on the stack)", total, samples, top);
    print("samples touching each area (a sample may touch several)", area, samples, top);
    print("self time by area (the top frame's area)", selfArea, samples, top);
    print("threads", threads, samples, 10);
  }

  private static String areaOf(String method) {
    for (String[] a : AREAS) {
      if (method.startsWith(a[1])) {
        return a[0];
      }
    }
    return method.startsWith("java.") || method.startsWith("jdk.") || method.startsWith("sun.")
        ? "other JDK"
        : "other";
  }

  private static String name(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  private static void print(String title, Map<String, Integer> counts, int samples, int top) {
    System.out.println("\n" + title + ":");
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(top)
        .forEach(
            en ->
                System.out.printf(
                    "  %5.1f %%  %s%n", 100.0 * en.getValue() / Math.max(1, samples), en.getKey()));
  }
}

package dev.flowsync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The soak: the standalone server in its own JVM under a bounded, moderate mixed load for a long
 * time, to find slow leaks, not limits. Clients connect with tokens from the HTTP API, join rooms,
 * set their state, chat (every ack counted), signal their peers, drive the shared timers, and
 * churn: room hops, sockets dropped without a close that resume, clean and unclean reconnects.
 * Every {@code --sample} seconds it records the server's heap after a full GC, live threads, RSS
 * and open files, and the clients' throughput, errors and p99s. At the end every client leaves, the
 * server must be back to no connections, with no thread group above its baseline but the bounded
 * pools, and every acked chat message must be in the history of the HTTP API.
 *
 * <p>Verdict: over the second half of the load the least-squares line through heap-after-GC may
 * rise by at most {@code --heap-bound-mib} (4), through threads by at most {@code --thread-bound}
 * (2), through open files by at most {@code --fd-bound} (10); no client errors; 0 acked messages
 * lost. Exit status 0 when it passes. Each heap figure is a class histogram; the classes that grew
 * over the second half are printed with the verdict, so a rise comes with what it is made of.
 * {@code flowsync-bench/soak.sh} runs it.
 */
public final class Soak {
  private final Args args;
  private final PrintStream out = System.out;
  private final SoakStats stats = new SoakStats();
  private final Map<String, Integer> directory = new ConcurrentHashMap<>();
  private final List<SoakClient> clients = new ArrayList<>();
  private final List<Sample> samples = new ArrayList<>();

  /** The class histogram behind each sample's heap figure, to say what a rise is made of. */
  private final Map<Sample, HeapHistogram> histograms = new java.util.IdentityHashMap<>();

  private final Random rnd = new Random(42);
  private final ExecutorService delays = Executors.newFixedThreadPool(2, daemon("soak-delay"));
  private final int rooms;
  private final int maxPending;
  private final long graceMs;
  private final Path outDir;
  private SoakServer server;
  private volatile boolean driving;
  private long startNs;
  private ProcStats.Snapshot lastServer;
  private ProcStats.Snapshot lastSelf;
  private long lastSampleNs;
  private long lastAcked;
  private long lastSignals;

  /**
   * One sample. Heap after a full GC, threads, RSS and open files are the server's; the rates and
   * p99s are the clients' over the interval since the previous sample.
   */
  record Sample(
      String phase,
      double seconds,
      double heapMiB,
      int threads,
      double rssMiB,
      long fds,
      int serverConnections,
      int activeClients,
      double ackedPerS,
      double ackP99Ms,
      double signalsPerS,
      double signalP99Ms,
      long churn,
      long errors,
      long timeouts,
      double serverCpuPct,
      double generatorCpuPct,
      String load) {}

  private Soak(Args args) {
    this.args = args;
    this.rooms = args.integer("rooms", 50);
    this.maxPending = args.integer("max-pending", 8);
    this.graceMs = args.integer("grace-ms", 20000);
    this.outDir = Path.of(args.str("out", "flowsync-bench/target/soak"));
  }

  /** Runs one soak; see the class comment and {@code soak.sh} for the options. */
  public static void main(String[] argv) throws Exception {
    Soak soak = new Soak(new Args(argv));
    boolean pass;
    try {
      pass = soak.run();
    } finally {
      if (soak.server != null) {
        soak.server.close();
      }
    }
    System.exit(pass ? 0 : 1);
  }

  private boolean run() throws Exception {
    Files.createDirectories(outDir);
    server = startServer();
    int n = args.integer("clients", 300);
    int durationS = args.integer("duration", 1800);
    int sampleS = args.integer("sample", 30);
    out.printf(
        "== soak: %d clients in %d rooms for %d s; chat %d/s, signals %d/s, state %d/s, timer %d/s,"
            + " churn %d/s; server %s pid %d; load %s%n",
        n,
        rooms,
        durationS,
        args.integer("chat-rate", 200),
        args.integer("signal-rate", 1000),
        args.integer("state-rate", 20),
        args.integer("timer-rate", 5),
        args.integer("churn-rate", 5),
        server.httpUri,
        server.pid,
        load());
    startNs = System.nanoTime();
    lastSampleNs = startNs;
    lastServer = server.pid > 0 ? ProcStats.read(server.pid) : null;
    lastSelf = ProcStats.read(ProcessHandle.current().pid());
    Sample baseline = sample("baseline");
    Map<String, Integer> baselineThreads = threadGroups();
    printHeader();
    print(baseline);

    HttpClient[] https = {HttpClient.newHttpClient(), HttpClient.newHttpClient()};
    for (int i = 0; i < n; i++) {
      clients.add(new SoakClient(i, stats, server, https[i % https.length], directory));
    }
    connectAll(args.integer("connect-rate", 20));

    driving = true;
    Thread driver = new Thread(this::drive, "soak-driver");
    driver.setDaemon(true);
    driver.start();
    long loadStart = System.nanoTime();
    long end = loadStart + TimeUnit.SECONDS.toNanos(durationS);
    long next = loadStart;
    while (true) {
      next += TimeUnit.SECONDS.toNanos(sampleS);
      if (next > end) {
        break;
      }
      LockSupport.parkNanos(next - System.nanoTime());
      print(sample("load"));
    }
    LockSupport.parkNanos(end - System.nanoTime());
    driving = false;
    driver.join();
    Thread.sleep(3000); // the last acks
    Sample lastLoad = sample("load");
    print(lastLoad);

    Sample after = leaveAll(baseline);
    print(after);
    grownThreads = printThreadDiff(baselineThreads, threadGroups());
    History history = verifyHistory();
    return report(baseline, after, history, durationS);
  }

  private SoakServer startServer() throws Exception {
    String target = args.str("http", null);
    if (target != null) {
      return SoakServer.target(
          URI.create(target), args.str("api-key", ""), args.integer("server-pid", -1));
    }
    Path data = Files.createTempDirectory("flowsync-soak-data");
    Map<String, String> env = new HashMap<>();
    env.put("FLOWSYNC_PORT", "0");
    env.put("FLOWSYNC_HOST", "127.0.0.1");
    env.put("FLOWSYNC_API_KEY", "soak-" + Long.toHexString(new Random().nextLong()));
    env.put("FLOWSYNC_DATA_DIR", data.toString());
    env.put("FLOWSYNC_RESUME_GRACE_MS", Long.toString(graceMs));
    List<String> jvm = new ArrayList<>();
    jvm.add("-Xmx" + args.str("server-xmx", "256m"));
    for (String flag : args.str("server-opts", "").split(" ")) {
      if (!flag.isBlank()) {
        jvm.add(flag);
      }
    }
    Path jar = Path.of(args.str("jar", "samples/server/target/flowsync-server.jar"));
    Path log = outDir.resolve("server.log");
    out.printf(
        "starting: %s java %s -jar %s (H2 in %s), log %s%n",
        env.entrySet().stream()
            .filter(e -> !e.getKey().equals("FLOWSYNC_API_KEY"))
            .map(e -> e.getKey() + "=" + e.getValue())
            .sorted()
            .reduce((a, b) -> a + " " + b)
            .orElse(""),
        String.join(" ", jvm),
        jar,
        data,
        log);
    return SoakServer.start(jar, jvm, env, log);
  }

  private void connectAll(int perSecond) throws InterruptedException {
    long t0 = System.nanoTime();
    long gap = TimeUnit.SECONDS.toNanos(1) / Math.max(1, perSecond);
    for (int i = 0; i < clients.size(); i++) {
      LockSupport.parkNanos(t0 + i * gap - System.nanoTime());
      clients.get(i).connectFresh(roomName(i % rooms));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (activeClients() < clients.size() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    out.printf(
        "# connected and joined %d of %d clients in %.1f s, errors %d%n",
        activeClients(), clients.size(), (System.nanoTime() - t0) / 1e9, stats.errors.sum());
  }

  private String roomName(int k) {
    return "soak-r" + k;
  }

  // ---------------------------------------------------------------- the load

  /** Paces every kind of traffic from one thread; all sends are asynchronous. */
  private void drive() {
    double chatRate = args.integer("chat-rate", 200);
    double signalRate = args.integer("signal-rate", 1000);
    double stateRate = args.integer("state-rate", 20);
    double timerRate = args.integer("timer-rate", 5);
    double churnRate = args.integer("churn-rate", 5);
    double chat = 0;
    double signal = 0;
    double state = 0;
    double timer = 0;
    double churn = 0;
    long last = System.nanoTime();
    long nextRescue = last;
    while (driving) {
      LockSupport.parkNanos(5_000_000);
      long now = System.nanoTime();
      double dt = (now - last) / 1e9;
      last = now;
      for (chat += chatRate * dt; chat >= 1; chat--) {
        SoakClient c = pickActive();
        if (c != null) {
          c.chat();
        }
      }
      for (signal += signalRate * dt; signal >= 1; signal--) {
        SoakClient c = pickActive();
        if (c != null) {
          c.signal(rnd);
        }
      }
      for (state += stateRate * dt; state >= 1; state--) {
        SoakClient c = pickActive();
        if (c != null) {
          c.setState(rnd);
        }
      }
      for (timer += timerRate * dt; timer >= 1; timer--) {
        SoakClient c = pickActive();
        if (c != null) {
          c.timer(rnd);
        }
      }
      for (churn += churnRate * dt; churn >= 1; churn--) {
        SoakClient c = pickActive();
        if (c != null) {
          churn(c);
        }
      }
      if (now >= nextRescue) {
        // A client that failed (counted as an error) starts over, so the load stays the same.
        nextRescue = now + TimeUnit.SECONDS.toNanos(1);
        for (SoakClient c : clients) {
          if (c.state == SoakClient.State.OFFLINE) {
            c.connectFresh(roomName(rnd.nextInt(rooms)));
          }
        }
      }
    }
  }

  /** One churn step: 40 % room hop, 25 % drop and resume, 20 % clean reconnect, 15 % unclean. */
  private void churn(SoakClient c) {
    int pick = rnd.nextInt(100);
    String other = roomName(rnd.nextInt(rooms));
    if (pick < 40) {
      c.hop(other);
    } else if (pick < 65) {
      // Well inside the grace period, so the resume must succeed.
      c.dropAndResume(200 + rnd.nextInt((int) Math.min(3000, graceMs / 2)), delays);
    } else if (pick < 85) {
      c.reconnect(true, 1000 + rnd.nextInt(9000), other, delays);
    } else {
      c.reconnect(false, 1000 + rnd.nextInt(9000), other, delays);
    }
  }

  /**
   * A random client if it is ready for more, else null (the send is skipped and counted): the
   * traffic stays spread over all clients, so no client exceeds its rate limit when others are
   * reconnecting, and a slow server sees fewer sends instead of a growing queue.
   */
  private SoakClient pickActive() {
    SoakClient c = clients.get(rnd.nextInt(clients.size()));
    if (c.ready(maxPending)) {
      return c;
    }
    stats.skipped.increment();
    return null;
  }

  private int activeClients() {
    int n = 0;
    for (SoakClient c : clients) {
      if (c.state == SoakClient.State.ACTIVE) {
        n++;
      }
    }
    return n;
  }

  private long churnCount() {
    return stats.joins.sum() + stats.leaves.sum() + stats.resumes.sum() + stats.connects.sum();
  }

  // ---------------------------------------------------------------- the end

  /**
   * Every client closes cleanly; then the server must drop to 0 connections (after the resume grace
   * of the memberships left by unclean drops) and its thread count must come back to the baseline
   * (Jetty retires idle pool threads after 60 s).
   */
  private Sample leaveAll(Sample baseline) throws Exception {
    long busyUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < busyUntil
        && clients.stream().anyMatch(c -> c.state == SoakClient.State.BUSY)) {
      Thread.sleep(100);
    }
    clients.forEach(SoakClient::closeForGood);
    long t0 = System.nanoTime();
    long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(graceMs) + TimeUnit.SECONDS.toNanos(60);
    int connections;
    while ((connections = health().path("connections").asInt(-1)) != 0
        && System.nanoTime() < deadline) {
      Thread.sleep(500);
    }
    out.printf(
        "# all clients closed; server connections %d after %.1f s%n",
        connections, (System.nanoTime() - t0) / 1e9);
    int slack = args.integer("thread-slack", 5);
    long threadsDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(70);
    while (server.pid > 0
        && ProcStats.read(server.pid).threads() > baseline.threads() + slack
        && System.nanoTime() < threadsDeadline) {
      Thread.sleep(1000);
    }
    return sample("after");
  }

  /** What {@link #verifyHistory} found. */
  record History(long acked, long lost, long stored, long gaps, List<String> samples) {}

  /** Every acked message must be in the room's history with the same id; seq has no gaps. */
  private History verifyHistory() throws Exception {
    long acked = 0;
    long lost = 0;
    long stored = 0;
    long gaps = 0;
    List<String> lostSamples = new ArrayList<>();
    for (var room : stats.acked.entrySet()) {
      Map<Long, String> inStore = new HashMap<>();
      long after = 0;
      while (true) {
        JsonNode page =
            server.get(
                "/api/rooms/" + room.getKey() + "/messages?afterSeq=" + after + "&limit=200");
        JsonNode messages = page.path("messages");
        if (messages.isEmpty()) {
          break;
        }
        for (JsonNode m : messages) {
          long seq = m.path("seq").asLong();
          inStore.put(seq, m.path("id").asText());
          after = Math.max(after, seq);
        }
      }
      stored += inStore.size();
      gaps += after - inStore.size();
      for (var e : room.getValue().entrySet()) {
        acked++;
        if (!e.getValue().equals(inStore.get(e.getKey()))) {
          lost++;
          if (lostSamples.size() < 5) {
            lostSamples.add(room.getKey() + " seq " + e.getKey() + " id " + e.getValue());
          }
        }
      }
    }
    return new History(acked, lost, stored, gaps, lostSamples);
  }

  // ---------------------------------------------------------------- sampling

  private Sample sample(String phase) {
    long now = System.nanoTime();
    double interval = Math.max(1e-9, (now - lastSampleNs) / 1e9);
    double heapMiB = -1;
    int threads = -1;
    double rssMiB = -1;
    long fds = -1;
    double cpuPct = -1;
    HeapHistogram histogram = null;
    if (server.pid > 0) {
      ProcStats.Snapshot s = ProcStats.read(server.pid);
      cpuPct = 100.0 * (s.cpuNanos() - lastServer.cpuNanos()) / (interval * 1e9);
      lastServer = s;
      threads = s.threads();
      rssMiB = s.rssBytes() / 1048576.0;
      fds = openFiles(server.pid);
      histogram = HeapHistogram.of(server.pid);
      heapMiB = histogram.totalBytes / 1048576.0;
    }
    ProcStats.Snapshot self = ProcStats.read(ProcessHandle.current().pid());
    double selfPct = 100.0 * (self.cpuNanos() - lastSelf.cpuNanos()) / (interval * 1e9);
    lastSelf = self;
    long acked = stats.chatAcked.sum();
    long signals = stats.signalsReceived.sum();
    Histogram ack = stats.ackLatency;
    stats.ackLatency = new Histogram();
    Histogram sig = stats.signalLatency;
    stats.signalLatency = new Histogram();
    Sample s =
        new Sample(
            phase,
            (now - startNs) / 1e9,
            heapMiB,
            threads,
            rssMiB,
            fds,
            health().path("connections").asInt(-1),
            activeClients(),
            (acked - lastAcked) / interval,
            ack.percentile(99) / 1000.0,
            (signals - lastSignals) / interval,
            sig.percentile(99) / 1000.0,
            churnCount(),
            stats.errors.sum(),
            stats.timeouts.sum(),
            cpuPct,
            selfPct,
            load());
    lastAcked = acked;
    lastSignals = signals;
    lastSampleNs = now;
    samples.add(s);
    if (histogram != null) {
      histograms.put(s, histogram);
    }
    return s;
  }

  /**
   * The live heap in one step: {@code GC.class_histogram} runs a full GC and counts the objects
   * left. ({@code GC.run} then {@code GC.heap_info} are two jcmd processes; on a loaded machine
   * seconds pass between them, and what the server allocates meanwhile, tens of MiB at this load,
   * made "heap after GC" swing between 57 and 120 MiB in the first 30-minute run.) -1 if unknown.
   */
  static long liveHeapBytes(long pid) {
    return HeapHistogram.of(pid).totalBytes;
  }

  /** The server's threads by name with digits masked ({@code qtp#-#}), counted. */
  private Map<String, Integer> threadGroups() {
    Map<String, Integer> groups = new java.util.TreeMap<>();
    if (server.pid <= 0) {
      return groups;
    }
    for (String line : ProcStats.jcmd(server.pid, "Thread.print").split("\n")) {
      if (line.startsWith("\"")) {
        String name = line.substring(1, Math.max(1, line.indexOf('"', 1)));
        groups.merge(name.replaceAll("[0-9]+", "#"), 1, Integer::sum);
      }
    }
    return groups;
  }

  /** Prints what differs; returns the groups that grew and are not {@link #BOUNDED_POOLS}. */
  private List<String> printThreadDiff(Map<String, Integer> before, Map<String, Integer> now) {
    List<String> unexpected = new ArrayList<>();
    java.util.Set<String> names = new java.util.TreeSet<>(before.keySet());
    names.addAll(now.keySet());
    StringBuilder sb = new StringBuilder();
    for (String name : names) {
      int b = before.getOrDefault(name, 0);
      int a = now.getOrDefault(name, 0);
      if (a != b) {
        sb.append(String.format(" [%s] %d -> %d;", name, b, a));
      }
      if (a > b && !BOUNDED_POOLS.matcher(name).matches()) {
        unexpected.add(name + " " + b + " -> " + a);
      }
    }
    out.println(
        "# Java threads (jcmd Thread.print) that differ from the baseline:"
            + (sb.length() == 0 ? " none" : sb));
    return unexpected;
  }

  private JsonNode health() {
    try {
      return server.get("/health");
    } catch (Exception e) {
      stats.error("GET /health: " + e);
      return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
  }

  private static long openFiles(long pid) {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return fds.count();
    } catch (IOException e) {
      return -1;
    }
  }

  /** The 1-minute load average of the machine, as {@code uptime} shows it. */
  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }

  private static final String HEADER =
      "| phase | min | heap after GC MiB | threads | RSS MiB | fds | server conns | active"
          + " clients | acked chat/s | ack p99 ms | signals/s | signal p99 ms | churn ops |"
          + " errors | timeouts | server CPU % | generator CPU % | load |";
  private static final int COLUMNS = 18;

  private void printHeader() {
    out.println(HEADER);
    out.println("|---".repeat(COLUMNS) + "|");
  }

  private void print(Sample s) {
    String row = row(s);
    out.println(row);
    try {
      Files.writeString(
          outDir.resolve("samples.md"),
          (Files.exists(outDir.resolve("samples.md"))
                  ? ""
                  : HEADER + "\n" + "|---".repeat(COLUMNS) + "|\n")
              + row
              + "\n",
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      out.println("# cannot write samples.md: " + e);
    }
  }

  private static String row(Sample s) {
    return String.format(
        Locale.ROOT,
        "| %s | %.1f | %.1f | %d | %.0f | %d | %d | %d | %.0f | %.1f | %.0f | %.1f | %d | %d | %d"
            + " | %.0f | %.0f | %s |",
        s.phase(),
        s.seconds() / 60,
        s.heapMiB(),
        s.threads(),
        s.rssMiB(),
        s.fds(),
        s.serverConnections(),
        s.activeClients(),
        s.ackedPerS(),
        s.ackP99Ms(),
        s.signalsPerS(),
        s.signalP99Ms(),
        s.churn(),
        s.errors(),
        s.timeouts(),
        s.serverCpuPct(),
        s.generatorCpuPct(),
        s.load());
  }

  // ---------------------------------------------------------------- verdict

  /**
   * Thread groups allowed to be above the baseline after the load: the server's bounded pools
   * (Jetty's, at most 16 threads, retiring one idle thread per minute; the gateway workers, a fixed
   * pool started lazily; the SQL chat committer's fixed completion threads and its one timeout
   * timer, both started with the first append) and the JVM's own GC and JIT threads, which it sizes
   * by demand.
   */
  private static final java.util.regex.Pattern BOUNDED_POOLS =
      java.util.regex.Pattern.compile(
          "flowsync-http-#|flowsync-gateway-worker-#|fs-sql-chat-done-#|fs-sql-chat-timeouts"
              + "|G# .*|C# CompilerThread#|GC Thread#");

  private List<String> grownThreads = List.of();

  private boolean report(Sample baseline, Sample after, History history, int durationS) {
    List<Sample> load = samples.stream().filter(s -> s.phase().equals("load")).toList();
    double firstLoad = load.isEmpty() ? 0 : load.get(0).seconds();
    double lastLoad = load.isEmpty() ? 0 : load.get(load.size() - 1).seconds();
    double half = (firstLoad + lastLoad) / 2;
    List<Sample> secondHalf = load.stream().filter(s -> s.seconds() >= half).toList();
    double[] t = secondHalf.stream().mapToDouble(Sample::seconds).toArray();
    Trend heap = Trend.fit(t, secondHalf.stream().mapToDouble(Sample::heapMiB).toArray());
    Trend threads = Trend.fit(t, secondHalf.stream().mapToDouble(Sample::threads).toArray());
    Trend fds = Trend.fit(t, secondHalf.stream().mapToDouble(Sample::fds).toArray());
    Trend rss = Trend.fit(t, secondHalf.stream().mapToDouble(Sample::rssMiB).toArray());
    double heapBound = args.dbl("heap-bound-mib", 4);
    double threadBound = args.dbl("thread-bound", 2);
    double fdBound = args.dbl("fd-bound", 10);
    int slack = args.integer("thread-slack", 5);

    out.println();
    out.printf(
        "client totals: sends skipped (client not ready) %d; chat sent %d, acked %d, in flight at a drop %d; signals sent %d, received"
            + " %d, to a peer just gone %d, misrouted %d; state %d; timer commands %d (conflicts"
            + " %d), timer broadcasts %d; connects %d, joins %d, leaves %d, resumes %d, drops %d,"
            + " clean closes %d; presence events %d%n",
        stats.skipped.sum(),
        stats.chatSent.sum(),
        stats.chatAcked.sum(),
        stats.chatInFlightAtDrop.sum(),
        stats.signalsSent.sum(),
        stats.signalsReceived.sum(),
        stats.peerGone.sum(),
        stats.misrouted.sum(),
        stats.states.sum(),
        stats.timerCommands.sum(),
        stats.timerConflicts.sum(),
        stats.timerBroadcasts.sum(),
        stats.connects.sum(),
        stats.joins.sum(),
        stats.leaves.sum(),
        stats.resumes.sum(),
        stats.drops.sum(),
        stats.closes.sum(),
        stats.events.sum());
    out.printf(
        "latency over the run: chat ack %s; signal one-way %s%n",
        stats.ackLatencyAll.summaryMillis(), stats.signalLatencyAll.summaryMillis());
    out.printf(
        "history: %d acked messages checked against %d stored (GET /api/rooms/{id}/messages),"
            + " lost %d, seq gaps %d %s%n",
        history.acked(), history.stored(), history.lost(), history.gaps(), history.samples());
    out.printf(
        Locale.ROOT,
        "second half (%d samples over %.1f min): heap after GC %+.2f MiB/min, fitted growth %+.1f"
            + " MiB (bound %.1f); threads %+.2f/min, growth %+.1f (bound %.0f); fds %+.2f/min,"
            + " growth %+.1f (bound %.0f); RSS growth %+.1f MiB (reported only)%n",
        heap.samples(),
        heap.spanMinutes(),
        heap.slopePerMinute(),
        heap.growth(),
        heapBound,
        threads.slopePerMinute(),
        threads.growth(),
        threadBound,
        fds.slopePerMinute(),
        fds.growth(),
        fdBound,
        rss.growth());
    HeapHistogram from = secondHalf.isEmpty() ? null : histograms.get(secondHalf.get(0));
    HeapHistogram to =
        secondHalf.isEmpty() ? null : histograms.get(secondHalf.get(secondHalf.size() - 1));
    if (from != null && to != null) {
      HeapHistogram.printGrowth(
          out,
          String.format(
              Locale.ROOT,
              "over the second half (min %.1f to %.1f)",
              secondHalf.get(0).seconds() / 60,
              secondHalf.get(secondHalf.size() - 1).seconds() / 60),
          from,
          to);
    }
    out.printf(
        "after all clients left: connections %d, threads %d (baseline %d, slack %d), fds %d"
            + " (baseline %d), heap after GC %.1f MiB (baseline %.1f)%n",
        after.serverConnections(),
        after.threads(),
        baseline.threads(),
        slack,
        after.fds(),
        baseline.fds(),
        after.heapMiB(),
        baseline.heapMiB());
    List<String> failures = new ArrayList<>();
    if (stats.errors.sum() > 0) {
      failures.add(stats.errors.sum() + " client errors " + List.copyOf(stats.errorSamples));
    }
    if (history.lost() > 0 || history.gaps() > 0) {
      failures.add(history.lost() + " acked messages lost, " + history.gaps() + " seq gaps");
    }
    if (stats.timeouts.sum() > 0) {
      out.printf(
          "note: %d requests got no answer in time (reported, not a leak criterion: on this shared"
              + " machine they follow the load average); %d answers came later %s%n",
          stats.timeouts.sum(), stats.lateReplies.sum(), List.copyOf(stats.timeoutSamples));
    }
    if (history.acked() == 0) {
      failures.add("no chat was acked");
    }
    if (server.pid > 0) {
      if (!heap.flatWithin(heapBound)) {
        failures.add(String.format("heap after GC grew %.1f MiB", heap.growth()));
      }
      if (!threads.flatWithin(threadBound)) {
        failures.add(String.format("threads grew %.1f", threads.growth()));
      }
      if (!fds.flatWithin(fdBound)) {
        failures.add(String.format("open files grew %.1f", fds.growth()));
      }
      if (!grownThreads.isEmpty()) {
        failures.add("threads other than the bounded pools grew: " + grownThreads);
      }
      if (after.fds() > baseline.fds() + 5) {
        failures.add("open files did not come back to the baseline");
      }
    }
    if (after.serverConnections() != 0) {
      failures.add("server still has " + after.serverConnections() + " connections");
    }
    out.println(
        failures.isEmpty()
            ? "verdict: PASS (flat heap after GC, threads and files; no errors; 0 acked lost)"
            : "verdict: FAIL: " + String.join("; ", failures));
    out.printf("finished %s, load %s%n", Instant.now(), load());
    return failures.isEmpty();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}

package dev.flowsync.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The load generator: simulated users on {@code java.net.http.WebSocket}, in a process of its own,
 * bounded in time. Scenarios:
 *
 * <ul>
 *   <li>{@code relay}: clients in rooms join, then send ~300-byte candidates to random peers at a
 *       fixed total rate; one-way latency from a nanoTime stamp in the payload (sender and receiver
 *       are in this process), delivery, and CPU per delivered message of server and generator.
 *   <li>{@code sweep}: {@code relay} at increasing {@code --rates} on the same connections.
 *   <li>{@code chat}: like {@code relay}, but each message is a {@code chat.send}; "delivered" is
 *       the sender's {@code chat.ack} (sent only once the message is stored) and the latency is the
 *       ack's round trip; the fan-out of {@code chat.message} to the room is counted too.
 *   <li>{@code capacity}: connect and join clients at {@code --connect-rate}, hold them idle, and
 *       measure the server's RSS and live heap growth per connection; {@code --procs} splits the
 *       clients over child generator processes (one process may open at most 20,000 files).
 *   <li>{@code joinstorm}: connect and authenticate clients, then all join existing rooms at once.
 * </ul>
 *
 * Every run prints a human-readable report and appends a {@code RESULT} line to {@code --out}.
 */
public final class LoadGenerator {
  private final Args args;
  private final List<URI> uris;
  private final List<String> tokens;
  private final long[] serverPids;
  private final String label;
  private final PrintStream out = System.out;
  private final List<String> results = new ArrayList<>();
  private final boolean chat;

  private LoadGenerator(Args args) throws IOException {
    this.args = args;
    // Several comma-separated urls (nodes of a cluster): client i connects to url i % n.
    this.uris =
        java.util.Arrays.stream(args.str("url", "ws://127.0.0.1:8080/ws").split(","))
            .map(URI::create)
            .toList();
    String tokenFile = args.str("tokens", null);
    this.tokens = tokenFile == null ? null : Files.readAllLines(Path.of(tokenFile));
    this.serverPids =
        java.util.Arrays.stream(args.str("server-pid", "").split(","))
            .filter(x -> !x.isBlank())
            .mapToLong(Long::parseLong)
            .toArray();
    this.label = args.str("label", "server");
    this.chat = args.positional.length > 0 && args.positional[0].equals("chat");
  }

  /** Runs one scenario, see the class comment; {@code run.sh} shows every option in use. */
  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv);
    if (args.positional.length == 0) {
      System.err.println(
          "usage: LoadGenerator relay|sweep|capacity|joinstorm|child --url ws://... [options]");
      System.exit(2);
    }
    LoadGenerator g = new LoadGenerator(args);
    switch (args.positional[0]) {
      case "relay" -> g.relay(List.of(args.integer("rate", 20000)));
      case "chat" ->
          g.relay(
              args.str("rates", null) != null
                  ? parseRates(args.str("rates", ""))
                  : List.of(args.integer("rate", 2000)));
      case "sweep" -> g.relay(parseRates(args.str("rates", "20000,30000,40000,50000,60000,80000")));
      case "capacity" -> g.capacity();
      case "joinstorm" -> g.joinStorm();
      case "child" -> g.child();
      default -> throw new IllegalArgumentException("Unknown scenario " + args.positional[0]);
    }
    g.writeResults();
    System.exit(0);
  }

  private static List<Integer> parseRates(String s) {
    List<Integer> rates = new ArrayList<>();
    for (String r : s.split(",")) {
      rates.add(Integer.parseInt(r.trim()));
    }
    return rates;
  }

  private Swarm swarm(int from, int to, String roomPrefix) {
    if (tokens != null && tokens.size() < to) {
      throw new IllegalArgumentException(
          "Token file has " + tokens.size() + " tokens, " + to + " clients need one each");
    }
    return new Swarm(
        uris,
        tokens,
        from,
        to,
        args.integer("room-size", 5),
        roomPrefix,
        args.integer("http-clients", 4),
        args.integer("executor-threads", 0),
        args.str("transport", "jdk").equals("nio") ? args.integer("nio-loops", 2) : 0);
  }

  // ---------------------------------------------------------------- relay and sweep

  private void relay(List<Integer> rates) throws InterruptedException {
    int n = args.integer("clients", 1000);
    double connectRate = args.dbl("connect-rate", 1000);
    out.printf(
        "== %s: %d clients in rooms of %d, connecting at %.0f/s to %s%n",
        label, n, args.integer("room-size", 5), connectRate, uris);
    Swarm swarm = swarm(0, n, "r");
    long t0 = System.nanoTime();
    swarm.connectAll(connectRate, args.integer("inflight", 500), true, 120);
    out.printf(
        "connected %d, joined %d in %.2f s; connect+join %s; errors %d%n",
        swarm.stats.connected.sum(),
        swarm.stats.joined.sum(),
        (System.nanoTime() - t0) / 1e9,
        swarm.stats.connectJoin.summaryMillis(),
        swarm.stats.errorCount());
    printErrorSamples(swarm.stats);
    swarm.introducePeers();
    List<Client> senders = swarm.senders();
    if (senders.isEmpty()) {
      out.println("No client could join: nothing to measure.");
      return;
    }
    int warmup = args.integer("warmup", 10);
    int duration = args.integer("duration", 20);
    boolean sweep = rates.size() > 1;
    int failures = 0;
    for (int rate : rates) {
      boolean ok = relayStep(swarm, senders, rate, warmup, duration, sweep);
      failures = ok ? 0 : failures + 1;
      if (sweep && failures >= args.integer("stop-after-failures", 2)) {
        out.println("Stopping the sweep: " + failures + " failed steps in a row.");
        break;
      }
      warmup = args.integer("step-warmup", warmup);
    }
    swarm.abortAll();
  }

  /** One fixed-rate step; true when delivery was 100 % and p99 <= --max-p99-ms (100). */
  private boolean relayStep(
      Swarm swarm, List<Client> senders, int rate, int warmupS, int durationS, boolean sweep)
      throws InterruptedException {
    Stats stats = swarm.stats;
    long errorsBefore = stats.errorCount() + stats.closedByServer.sum();
    long misroutedBefore = stats.misrouted.sum();
    int threads = Math.max(1, Math.min(args.integer("senders", 2), senders.size()));
    long start = System.nanoTime() + 50_000_000L;
    long mStart = start + warmupS * 1_000_000_000L;
    long mEnd = mStart + durationS * 1_000_000_000L;
    Stats.Window w = new Stats.Window(mStart, mEnd);
    stats.window = w;
    List<SenderThread> pacers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<Client> mine = new ArrayList<>();
      for (int i = t; i < senders.size(); i += threads) {
        mine.add(senders.get(i));
      }
      SenderThread s = new SenderThread(t, mine, (double) rate / threads, start, mEnd, w, chat);
      pacers.add(s);
      s.start();
    }
    sleepUntil(mStart);
    ProcStats.Snapshot sv0 = serverPids.length > 0 ? ProcStats.readAll(serverPids) : null;
    ProcStats.Snapshot me0 = ProcStats.read(ProcessHandle.current().pid());
    sleepUntil(mEnd);
    ProcStats.Snapshot sv1 = serverPids.length > 0 ? ProcStats.readAll(serverPids) : null;
    ProcStats.Snapshot me1 = ProcStats.read(ProcessHandle.current().pid());
    long maxLag = 0;
    for (SenderThread s : pacers) {
      s.join();
      maxLag = Math.max(maxLag, s.maxLag);
    }
    long sent = w.sent.sum();
    long drainUntil = System.nanoTime() + args.integer("drain", 10) * 1_000_000_000L;
    while (w.delivered.sum() < sent && System.nanoTime() < drainUntil) {
      Thread.sleep(20);
    }
    long delivered = w.delivered.sum();
    long errors = stats.errorCount() + stats.closedByServer.sum() - errorsBefore;
    double secs = durationS;
    double deliveredPct = sent == 0 ? 0 : 100.0 * delivered / sent;
    long p99 = w.latency.percentile(99);
    boolean ok = delivered == sent && errors == 0 && p99 <= args.integer("max-p99-ms", 100) * 1000L;
    out.printf(
        "%n-- %s %s at %,d msgs/s (warm-up %d s, measured %d s, %d sender threads)%n",
        label, chat ? "chat" : "relay", rate, warmupS, durationS, threads);
    out.printf(
        "sent %,.0f/s, %s %,.0f/s (%.3f %% of %,d), errors %d, misrouted %d%s%n",
        sent / secs,
        chat ? "acked" : "delivered",
        delivered / secs,
        deliveredPct,
        sent,
        errors,
        stats.misrouted.sum() - misroutedBefore,
        chat ? String.format(", chat.message fan-out %,.0f/s", w.fanOut.sum() / secs) : "");
    out.printf("%s: %s%n", chat ? "ack round trip" : "one-way latency", w.latency.summaryMillis());
    String serverPart = "";
    if (sv0 != null) {
      long cpu = sv1.cpuNanos() - sv0.cpuNanos();
      long user = sv1.userNanos() - sv0.userNanos();
      long heap = ProcStats.heapUsedAll(serverPids, false);
      out.printf(
          "server: CPU %.1f %% of a core (%.0f %% user) = %.1f us per delivered msg; RSS %.0f MB;"
              + " heap used %.0f MB; %d threads%n",
          100.0 * cpu / (secs * 1e9),
          cpu == 0 ? 0 : 100.0 * user / cpu,
          delivered == 0 ? 0 : cpu / 1000.0 / delivered,
          sv1.rssBytes() / 1e6,
          heap / 1e6,
          sv1.threads());
      serverPart =
          String.format(
              " server_cpu_pct=%.1f server_us_per_msg=%.2f server_rss_mb=%.0f server_threads=%d",
              100.0 * cpu / (secs * 1e9),
              delivered == 0 ? 0 : cpu / 1000.0 / delivered,
              sv1.rssBytes() / 1e6,
              sv1.threads());
    }
    long genCpu = me1.cpuNanos() - me0.cpuNanos();
    out.printf(
        "generator: CPU %.1f %% of a core = %.1f us per delivered msg (send + receive);"
            + " max pacing lag %d msgs; max per-connection send queue %d%n",
        100.0 * genCpu / (secs * 1e9),
        delivered == 0 ? 0 : genCpu / 1000.0 / delivered,
        maxLag,
        stats.maxQueue.get());
    out.println(
        ok ? "verdict: sustained (100 % delivered, p99 within limit)" : "verdict: NOT sustained");
    printErrorSamples(stats);
    results.add(
        String.format(
            "RESULT scenario=%s label=%s transport=%s rate=%d sent_per_s=%.0f delivered_per_s=%.0f delivered_pct=%.3f"
                + " errors=%d p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.2f gen_cpu_pct=%.1f"
                + " gen_us_per_msg=%.2f max_lag=%d%s ok=%b",
            chat ? "chat" : sweep ? "sweep" : "relay",
            label,
            args.str("transport", "jdk"),
            rate,
            sent / secs,
            delivered / secs,
            deliveredPct,
            errors,
            w.latency.percentile(50) / 1000.0,
            w.latency.percentile(95) / 1000.0,
            p99 / 1000.0,
            w.latency.max() / 1000.0,
            100.0 * genCpu / (secs * 1e9),
            delivered == 0 ? 0 : genCpu / 1000.0 / delivered,
            maxLag,
            serverPart,
            ok));
    return ok;
  }

  /** Paces one share of the total rate over its own clients. */
  private static final class SenderThread extends Thread {
    private final Client[] mine;
    private final double perNs;
    private final long startNs;
    private final long endNs;
    private final Stats.Window window;
    private final boolean chat;
    volatile long maxLag;

    SenderThread(
        int i,
        List<Client> mine,
        double rate,
        long startNs,
        long endNs,
        Stats.Window w,
        boolean chat) {
      super("gen-sender-" + i);
      this.chat = chat;
      setDaemon(true);
      this.mine = mine.toArray(new Client[0]);
      this.perNs = rate / 1e9;
      this.startNs = startNs;
      this.endNs = endNs;
      this.window = w;
    }

    @Override
    public void run() {
      sleepUntil(startNs);
      ThreadLocalRandom rnd = ThreadLocalRandom.current();
      long sent = 0;
      long lag = 0;
      while (true) {
        long now = System.nanoTime();
        if (now >= endNs) {
          break;
        }
        long due = (long) ((now - startNs) * perNs);
        int burst = 0;
        while (sent < due && burst < 256) {
          long stamp = System.nanoTime();
          if (chat) {
            mine[rnd.nextInt(mine.length)].chat(stamp);
          } else {
            mine[rnd.nextInt(mine.length)].signalRandomPeer(rnd, stamp);
          }
          if (window.contains(stamp)) {
            window.sent.increment();
          }
          sent++;
          burst++;
        }
        lag = Math.max(lag, due - sent);
        if (sent >= due) {
          // Sleep until the next message is due, but at least 100 us: at high rates each wake-up
          // sends a small burst instead of spinning, at low rates the thread costs nothing.
          long nextDue = startNs + (long) ((sent + 1) / perNs);
          LockSupport.parkNanos(Math.max(100_000, nextDue - System.nanoTime()));
        }
      }
      maxLag = lag;
    }
  }

  // ---------------------------------------------------------------- capacity

  private void capacity() throws Exception {
    int n = args.integer("clients", 19_900);
    int procs = args.integer("procs", 1);
    double rate = args.dbl("connect-rate", 4000);
    int roomSize = args.integer("room-size", 5);
    out.printf(
        "== %s capacity: %d clients in rooms of %d, connect+join at %.0f/s over %d generator process(es), %s%n",
        label, n, roomSize, rate, procs, uris);
    warmUp();
    requireServerPid();
    ProcStats.Snapshot base = ProcStats.readAll(serverPids);
    long baseHeap = ProcStats.heapUsedAll(serverPids, true);
    base = ProcStats.readAll(serverPids);
    out.printf(
        "baseline after warm-up and GC: RSS %.1f MB, live heap %.1f MB, %d threads%n",
        base.rssBytes() / 1e6, baseHeap / 1e6, base.threads());
    // --histogram: which classes the live heap per connection is made of (single server only).
    boolean histogram = args.flag("histogram");
    HeapHistogram histBefore = histogram ? HeapHistogram.of(serverPids[0]) : null;
    long overflows0 = ProcStats.listenOverflows();

    Histogram connectJoin = new Histogram();
    long joined;
    long errors;
    double wallS;
    List<ChildProcess> children = new ArrayList<>();
    Swarm local = null;
    ProcStats.Snapshot sv0 = ProcStats.readAll(serverPids);
    if (procs <= 1) {
      local = swarm(0, n, "r");
      long t0 = System.nanoTime();
      local.connectAll(rate, args.integer("inflight", 1000), true, 180);
      wallS = (System.nanoTime() - t0) / 1e9;
      connectJoin.add(local.stats.connectJoin);
      joined = local.stats.joined.sum();
      errors = local.stats.errorCount() + local.stats.closedByServer.sum();
      printErrorSamples(local.stats);
    } else {
      int perChild = (n / procs / roomSize) * roomSize;
      for (int p = 0; p < procs; p++) {
        int from = p * perChild;
        int to = p == procs - 1 ? n : from + perChild;
        children.add(ChildProcess.start(args, from, to, rate / procs));
      }
      for (ChildProcess c : children) {
        c.awaitLine("READY");
      }
      long t0 = System.nanoTime();
      children.forEach(c -> c.send("GO"));
      joined = 0;
      errors = 0;
      for (ChildProcess c : children) {
        String done = c.awaitLine("DONE");
        joined += Long.parseLong(field(done, "joined"));
        errors += Long.parseLong(field(done, "errors"));
        connectJoin.add(Histogram.decode(field(done, "hist")));
      }
      wallS = (System.nanoTime() - t0) / 1e9;
      children.forEach(c -> c.errors.forEach(e -> out.println("  child error: " + e)));
    }
    ProcStats.Snapshot sv1 = ProcStats.readAll(serverPids);
    out.printf(
        "joined %d of %d in %.2f s (errors %d); connect+join %s%n",
        joined, n, wallS, errors, connectJoin.summaryMillis());
    out.printf(
        "server CPU during the ramp: %.2f s; listen queue overflows (dropped SYNs, whole machine):"
            + " %d%n",
        (sv1.cpuNanos() - sv0.cpuNanos()) / 1e9, ProcStats.listenOverflows() - overflows0);
    int hold = args.integer("hold", 10);
    out.printf("holding %d idle connections for %d s ...%n", joined, hold);
    Thread.sleep(hold * 1000L);
    ProcStats.Snapshot held = ProcStats.readAll(serverPids);
    long heldHeap = ProcStats.heapUsedAll(serverPids, true);
    ProcStats.Snapshot afterGc = ProcStats.readAll(serverPids);
    double rssPer = (afterGc.rssBytes() - base.rssBytes()) / 1024.0 / Math.max(1, joined);
    double heapPer = (heldHeap - baseHeap) / 1024.0 / Math.max(1, joined);
    out.printf(
        "server held: RSS %.1f MB (+%.1f MB = %.2f KB per connection), live heap after GC"
            + " %.1f MB (+%.1f MB = %.2f KB per connection), %d threads%n",
        afterGc.rssBytes() / 1e6,
        (afterGc.rssBytes() - base.rssBytes()) / 1e6,
        rssPer,
        heldHeap / 1e6,
        (heldHeap - baseHeap) / 1e6,
        heapPer,
        held.threads());
    if (histogram) {
      HeapHistogram.print(out, histBefore, HeapHistogram.of(serverPids[0]), joined);
    }
    long genRss = ProcStats.read(ProcessHandle.current().pid()).rssBytes();
    for (ChildProcess c : children) {
      genRss += ProcStats.read(c.pid()).rssBytes();
    }
    out.printf("generator RSS (all processes): %.0f MB%n", genRss / 1e6);
    results.add(
        String.format(
            "RESULT scenario=capacity label=%s clients=%d joined=%d errors=%d wall_s=%.2f connect_rate=%.0f"
                + " p50_ms=%.1f p95_ms=%.1f p99_ms=%.1f max_ms=%.1f rss_kb_per_conn=%.2f heap_kb_per_conn=%.2f"
                + " server_rss_mb=%.0f server_heap_mb=%.0f server_threads=%d",
            label,
            n,
            joined,
            errors,
            wallS,
            rate,
            connectJoin.percentile(50) / 1000.0,
            connectJoin.percentile(95) / 1000.0,
            connectJoin.percentile(99) / 1000.0,
            connectJoin.max() / 1000.0,
            rssPer,
            heapPer,
            afterGc.rssBytes() / 1e6,
            heldHeap / 1e6,
            held.threads()));
    children.forEach(c -> c.send("EXIT"));
    for (ChildProcess c : children) {
      c.waitFor();
    }
    if (local != null) {
      local.abortAll();
    }
  }

  /** A child generator: connects its slice on GO, reports, exits on EXIT. */
  private void child() throws IOException {
    int from = args.integer("from", 0);
    int to = args.integer("to", 0);
    Swarm swarm = swarm(from, to, "r");
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    System.out.println("READY");
    System.out.flush();
    String line;
    while ((line = in.readLine()) != null && !line.equals("GO")) {
      // wait for the parent
    }
    swarm.connectAll(args.dbl("connect-rate", 2000), args.integer("inflight", 1000), true, 180);
    for (String e : swarm.stats.errorSamples) {
      System.out.println("ERR " + e.replace('\n', ' '));
    }
    System.out.println(
        "DONE joined="
            + swarm.stats.joined.sum()
            + " errors="
            + (swarm.stats.errorCount() + swarm.stats.closedByServer.sum())
            + " hist="
            + swarm.stats.connectJoin.encode());
    System.out.flush();
    while ((line = in.readLine()) != null && !line.equals("EXIT")) {
      // hold the connections until the parent has measured
    }
    swarm.abortAll();
  }

  // ---------------------------------------------------------------- join storm

  private void joinStorm() throws Exception {
    int n = args.integer("clients", 10_000);
    out.printf(
        "== %s join storm: %d authenticated clients join existing rooms of %d at once, %s%n",
        label, n, args.integer("room-size", 5), uris);
    warmUp();
    Swarm swarm = swarm(0, n, "r");
    long t0 = System.nanoTime();
    swarm.connectAll(args.dbl("connect-rate", 2000), args.integer("inflight", 1000), false, 180);
    out.printf(
        "connected and said hello: %d in %.2f s (not part of the storm), errors %d%n",
        swarm.stats.connected.sum(), (System.nanoTime() - t0) / 1e9, swarm.stats.errorCount());
    Thread.sleep(2000);
    ProcStats.Snapshot sv0 = serverPids.length > 0 ? ProcStats.readAll(serverPids) : null;
    long s0 = System.nanoTime();
    swarm.joinAll(0, n, 120);
    double wallS = (System.nanoTime() - s0) / 1e9;
    ProcStats.Snapshot sv1 = serverPids.length > 0 ? ProcStats.readAll(serverPids) : null;
    long errors = swarm.stats.errorCount() + swarm.stats.closedByServer.sum();
    out.printf(
        "storm: %d of %d joined in %.2f s (%.0f joins/s), errors %d; join latency %s%n",
        swarm.stats.joined.sum(),
        n,
        wallS,
        swarm.stats.joined.sum() / wallS,
        errors,
        swarm.stats.joinOnly.summaryMillis());
    if (sv0 != null) {
      out.printf(
          "server CPU during the storm: %.2f s (%.0f us per join), %d threads%n",
          (sv1.cpuNanos() - sv0.cpuNanos()) / 1e9,
          (sv1.cpuNanos() - sv0.cpuNanos()) / 1000.0 / Math.max(1, swarm.stats.joined.sum()),
          sv1.threads());
    }
    printErrorSamples(swarm.stats);
    Histogram h = swarm.stats.joinOnly;
    results.add(
        String.format(
            "RESULT scenario=joinstorm label=%s clients=%d joined=%d errors=%d wall_s=%.2f p50_ms=%.1f"
                + " p95_ms=%.1f p99_ms=%.1f max_ms=%.1f",
            label,
            n,
            swarm.stats.joined.sum(),
            errors,
            wallS,
            h.percentile(50) / 1000.0,
            h.percentile(95) / 1000.0,
            h.percentile(99) / 1000.0,
            h.max() / 1000.0));
    swarm.abortAll();
  }

  /**
   * {@code --warmup-clients n}: connect, join and drop n clients in rooms of their own first, so
   * the measured run meets a JIT-compiled server; then wait {@code --settle} seconds.
   */
  private void warmUp() throws InterruptedException {
    int w = args.integer("warmup-clients", 0);
    if (w <= 0) {
      out.println("no warm-up (cold server)");
      return;
    }
    Swarm warm = swarm(0, w, "w");
    long t0 = System.nanoTime();
    warm.connectAll(args.dbl("warmup-rate", 2000), 1000, true, 180);
    out.printf(
        "warm-up: %d clients connected and joined in %.2f s (connect+join %s), errors %d; dropped%n",
        warm.stats.joined.sum(),
        (System.nanoTime() - t0) / 1e9,
        warm.stats.connectJoin.summaryMillis(),
        warm.stats.errorCount());
    warm.abortAll();
    warm.shutdown();
    Thread.sleep(args.integer("settle", 5) * 1000L);
  }

  private void requireServerPid() {
    if (serverPids.length == 0) {
      throw new IllegalArgumentException("--server-pid is required for this scenario");
    }
  }

  private void printErrorSamples(Stats stats) {
    for (String e : stats.errorSamples) {
      out.println("  sample error: " + e);
    }
    stats.errorSamples.clear();
  }

  private void writeResults() throws IOException {
    results.forEach(out::println);
    String file = args.str("out", null);
    if (file != null && !results.isEmpty()) {
      Path p = Path.of(file);
      if (p.getParent() != null) {
        Files.createDirectories(p.getParent());
      }
      Files.write(p, results, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
  }

  static String field(String line, String name) {
    for (String part : line.split(" ")) {
      if (part.startsWith(name + "=")) {
        return part.substring(name.length() + 1);
      }
    }
    return "";
  }

  static void sleepUntil(long deadlineNs) {
    long wait;
    while ((wait = deadlineNs - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
    }
  }

  /** A child generator JVM, driven through its stdin/stdout. */
  private static final class ChildProcess {
    private final Process process;
    private final PrintWriter stdin;
    private final BufferedReader stdout;
    final List<String> errors = new ArrayList<>();

    private ChildProcess(Process process) {
      this.process = process;
      this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
      this.stdout =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    static ChildProcess start(Args args, int from, int to, double rate) throws IOException {
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command().orElse("java"));
      cmd.add("-Xmx" + args.str("child-xmx", "2g"));
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(LoadGenerator.class.getName());
      cmd.add("child");
      for (String key :
          List.of(
              "url",
              "tokens",
              "room-size",
              "http-clients",
              "executor-threads",
              "inflight",
              "transport",
              "nio-loops")) {
        String v = args.str(key, null);
        if (v != null) {
          cmd.add("--" + key);
          cmd.add(v);
        }
      }
      cmd.addAll(
          List.of(
              "--from",
              Integer.toString(from),
              "--to",
              Integer.toString(to),
              "--connect-rate",
              Double.toString(rate)));
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      return new ChildProcess(p);
    }

    long pid() {
      return process.pid();
    }

    void send(String line) {
      stdin.println(line);
    }

    String awaitLine(String prefix) throws IOException {
      String line;
      while ((line = stdout.readLine()) != null) {
        if (line.startsWith(prefix)) {
          return line;
        }
        if (line.startsWith("ERR ")) {
          errors.add(line.substring(4));
        }
      }
      throw new IOException("Child generator " + process.pid() + " exited before " + prefix);
    }

    void waitFor() throws InterruptedException {
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}

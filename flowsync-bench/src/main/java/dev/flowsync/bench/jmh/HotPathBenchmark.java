package dev.flowsync.bench.jmh;

import dev.flowsync.core.FlowSync;
import dev.flowsync.signaling.ClientSession;
import dev.flowsync.signaling.Gateway;
import dev.flowsync.signaling.RateLimit;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One targeted signal through the real gateway: frame text in on Alice's session, relay frame out
 * on Bob's connection (decode, validate, membership checks, route, encode). Waits until Bob's
 * connection has the frame, so a gateway that hands work to another thread is measured end to end.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx512m"})
public class HotPathBenchmark {
  private FlowSync flowSync;
  private Gateway gateway;
  private ClientSession alice;
  private final CapturingConnection bobConnection = new CapturingConnection();
  private String signal;

  /** Two authenticated connections in one room. */
  @Setup
  public void setUp() {
    flowSync = FlowSync.inMemory();
    // One connection sends millions of frames here: without this the per-connection limit
    // (50/s) would answer rate_limited after the first burst.
    gateway = Gateway.builder(flowSync).rateLimit(RateLimit.UNLIMITED).build();
    // Step by step, waiting for each reply: a gateway may run hello and join on its own threads.
    CapturingConnection aliceConnection = new CapturingConnection();
    alice = connect(aliceConnection, "alice");
    waitFor(aliceConnection, 1);
    ClientSession bob = connect(bobConnection, "bob");
    String bobId = stringField(waitFor(bobConnection, 1), "connectionId");
    alice.onText("{\"type\":\"join\",\"rid\":\"j\",\"room\":\"bench\"}");
    waitFor(aliceConnection, 2);
    bob.onText("{\"type\":\"join\",\"rid\":\"j\",\"room\":\"bench\"}");
    waitFor(bobConnection, 2);
    signal = Frames.signal("bench", bobId);
    long before = bobConnection.count;
    alice.onText(signal);
    String relayed = waitFor(bobConnection, before + 1);
    if (!relayed.contains("\"type\":\"signal\"")) {
      throw new IllegalStateException("The gateway did not relay the signal: " + relayed);
    }
  }

  private ClientSession connect(CapturingConnection connection, String user) {
    ClientSession session = gateway.open(connection);
    String token = flowSync.tokens().issue(user, user, null, Duration.ofHours(1)).token();
    session.onText("{\"type\":\"hello\",\"rid\":\"h\",\"token\":\"" + token + "\"}");
    return session;
  }

  /** Decode, route and encode one signal; returns the relayed frame. */
  @Benchmark
  public String relaySignal() {
    long before = bobConnection.count;
    alice.onText(signal);
    return waitFor(bobConnection, before + 1);
  }

  /** Closes the gateway and FlowSync. */
  @TearDown
  public void tearDown() {
    gateway.close();
    flowSync.close();
  }

  private static String waitFor(CapturingConnection c, long count) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (c.count < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("No frame #" + count + " within 5 s; last: " + c.last);
      }
      Thread.onSpinWait();
    }
    return c.last;
  }

  private static String stringField(String json, String name) {
    String key = "\"" + name + "\":\"";
    int from = json.indexOf(key) + key.length();
    return json.substring(from, json.indexOf('"', from));
  }
}

package dev.flowsync.jetty.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowsync.signaling.RateLimit;
import dev.flowsync.signaling.client.ClientEvent;
import dev.flowsync.signaling.client.FlowSyncClient;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A rough in-process measurement of the relay path: clients in rooms of 5 send ~300-byte candidate
 * signals to random peers at a fixed rate; the figure is the CPU time of the server's threads
 * (Jetty's pool and the gateway's) per relayed signal. The generator runs in the same JVM but on
 * its own threads, which are not counted; GC and JIT threads are not counted either.
 *
 * <p>Run: {@code mvn -q -pl flowsync-jetty -am verify -Dtest=RelayBenchTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dflowsync.bench=true [-Dbench.rate=5000]
 * [-Dbench.clients=200]}
 */
@EnabledIfSystemProperty(named = "flowsync.bench", matches = "true")
class RelayBenchTest {

  @Test
  @DisplayName("server CPU per relayed signal")
  void relay() throws Exception {
    int clients = Integer.getInteger("bench.clients", 200);
    int rate = Integer.getInteger("bench.rate", 5000);
    int seconds = Integer.getInteger("bench.seconds", 10);
    String payload =
        "{\"candidate\":\"candidate:842163049 1 udp 1677729535 203.0.113.7 61234 typ srflx raddr"
            + " 10.0.0.7 rport 61234 generation 0 ufrag Xy9z network-cost 999\",\"sdpMid\":\"0\","
            + "\"sdpMLineIndex\":0,\"usernameFragment\":\"Xy9z\",\"pad\":\""
            + "p".repeat(60)
            + "\"}";
    try (TestServer s =
        TestServer.start(
            fs -> fs.resumeGrace(Duration.ZERO),
            gw -> gw.rateLimit(RateLimit.UNLIMITED).heartbeat(Duration.ofSeconds(25)))) {
      HttpClient http = HttpClient.newHttpClient();
      AtomicLong received = new AtomicLong();
      List<FlowSyncClient> all = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        FlowSyncClient c =
            FlowSyncClient.builder(s.uri(), s.token("u" + i))
                .httpClient(http)
                .listener(
                    e -> {
                      if (e instanceof ClientEvent.Signal) {
                        received.incrementAndGet();
                      }
                    })
                .connect();
        c.join("room" + (i / 5)).join();
        all.add(c);
      }
      String[] ids = all.stream().map(FlowSyncClient::connectionId).toArray(String[]::new);
      // warm-up, then the measured run
      run(all, ids, payload, rate, 5, received);
      long serverCpu0 = serverCpuNanos();
      long received0 = received.get();
      long t0 = System.nanoTime();
      long sent = run(all, ids, payload, rate, seconds, received);
      long wall = System.nanoTime() - t0;
      long got = received.get() - received0;
      long serverCpu = serverCpuNanos() - serverCpu0;
      System.out.printf(
          "RELAY BENCH clients=%d rate=%d/s sent=%d received=%d achieved=%.0f/s"
              + " serverCpuPerMsg=%.1fus serverCpuCores=%.2f%n",
          clients,
          rate,
          sent,
          got,
          got * 1e9 / wall,
          serverCpu / 1000.0 / Math.max(1, got),
          serverCpu / (double) wall);
      assertThat(got).isGreaterThan(sent * 9 / 10);
      all.forEach(FlowSyncClient::abort);
    }
  }

  private static long run(
      List<FlowSyncClient> all,
      String[] ids,
      String payload,
      int rate,
      int seconds,
      AtomicLong received)
      throws InterruptedException {
    long total = (long) rate * seconds;
    long start = System.nanoTime();
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    for (long n = 0; n < total; n++) {
      long due = start + n * 1_000_000_000L / rate;
      long wait = due - System.nanoTime();
      if (wait > 200_000) {
        java.util.concurrent.locks.LockSupport.parkNanos(wait);
      }
      int from = rnd.nextInt(all.size());
      int room = from / 5;
      int to = room * 5 + rnd.nextInt(5);
      if (to == from) {
        to = room * 5 + (from % 5 + 1) % 5;
      }
      all.get(from).signalNoReply("room" + room, ids[to], "candidate", payload);
    }
    return total;
  }

  private static long serverCpuNanos() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      String name = info.getThreadName();
      if (name.startsWith("qtp") || name.startsWith("flowsync-")) {
        long cpu = mx.getThreadCpuTime(info.getThreadId());
        if (cpu > 0) {
          sum += cpu;
        }
      }
    }
    return sum;
  }
}

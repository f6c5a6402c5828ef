package dev.flowsync.jetty.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flowsync.core.FlowSync;
import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.core.chat.HistoryPage;
import dev.flowsync.jetty.FlowSyncServer;
import dev.flowsync.signaling.Gateway;
import dev.flowsync.signaling.RateLimit;
import dev.flowsync.signaling.client.ClientEvent;
import dev.flowsync.signaling.client.FlowSyncClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Faults next to well-behaved chat users on a real server: a member that stops reading, and a
 * client that floods. The isolation of latency and the closing of such clients are also covered by
 * {@code LimitsTest#slowConsumer} and {@code LimitsTest#floodIsolation}; these tests add the
 * accounting a user relies on: every acknowledged message is stored and delivered to every healthy
 * member (acked messages lost: 0). Figures go to standard output as {@code FAULT} lines.
 */
@DisplayName("Fault: chat next to a slow consumer and next to a flooding client")
class ChatUnderFaultsIntegrationTest {
  private static final int SENDERS = 3;

  FlowSync flowSync;
  Gateway gateway;
  FlowSyncServer server;
  final List<AutoCloseable> opened = new ArrayList<>();

  void start(Consumer<Gateway.Builder> gatewaySettings, int maxPendingFrames) {
    flowSync = FlowSync.builder().resumeGrace(Duration.ZERO).build();
    Gateway.Builder gw =
        Gateway.builder(flowSync)
            .heartbeat(Duration.ofSeconds(5))
            .rateLimit(RateLimit.parse("1000/s,burst=1000"));
    gatewaySettings.accept(gw);
    gateway = gw.build();
    server =
        FlowSyncServer.builder(flowSync)
            .host("127.0.0.1")
            .port(0)
            .gateway(gateway)
            .maxPendingFrames(maxPendingFrames)
            .build()
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
    server.stop();
    flowSync.close();
  }

  @Test
  @DisplayName(
      "a member that stops reading is closed; the others get every acked message, none is lost")
  void slowConsumer() throws Exception {
    start(gw -> gw.maxOutboundBytes(256 * 1024), 256);
    List<Sender> senders = senders("slow");
    RawSocketClient stalled = new RawSocketClient(server.webSocketUri(), true);
    opened.add(stalled);
    stalled.send("{\"type\":\"hello\",\"token\":\"" + token("stalled") + "\"}");
    stalled.send("{\"type\":\"join\",\"room\":\"slow\"}");
    await().atMost(Duration.ofSeconds(5)).until(() -> members("slow") == SENDERS + 1);

    String text = "m".repeat(4000);
    long start = System.nanoTime();
    long closedAfterMs = -1;
    List<CompletableFuture<ChatMessage>> acks = new ArrayList<>();
    for (int round = 0; round < 1000 && closedAfterMs < 0; round++) {
      for (Sender s : senders) {
        acks.add(s.client.sendChat("slow", text));
      }
      if (round % 10 == 9) {
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        if (gateway.connectionCount() == SENDERS) {
          closedAfterMs = (System.nanoTime() - start) / 1_000_000;
        }
      }
    }
    assertThat(closedAfterMs).as("the stalled member was closed").isGreaterThanOrEqualTo(0);
    await().atMost(Duration.ofSeconds(5)).until(() -> members("slow") == SENDERS);
    // After the fault: the room keeps working for the healthy members.
    for (Sender s : senders) {
      acks.add(s.client.sendChat("slow", "after"));
    }
    long acked = assertNoneLost("slow", senders, acks);
    System.out.printf(
        "FAULT slow-consumer: stalled member closed %d ms after the chat began (outbound limit"
            + " 256 KiB / 256 frames); %d acked messages, lost 0; healthy members received all%n",
        closedAfterMs, acked);
  }

  @Test
  @DisplayName("a flooding client is rate limited and closed; chat of the others loses nothing")
  void flood() throws Exception {
    start(gw -> {}, 1024);
    List<Sender> senders = senders("calm");
    List<CompletableFuture<ChatMessage>> acks = new ArrayList<>();
    List<Long> baseline = chatLatencies(senders, acks, 20);

    RawSocketClient flooder = raw();
    flooder.send("{\"type\":\"hello\",\"token\":\"" + token("flooder") + "\"}");
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.connectionCount() == SENDERS + 1);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong floodFrames = new AtomicLong();
    AtomicLong floodEndedAt = new AtomicLong();
    long floodStart = System.nanoTime();
    Thread flood =
        new Thread(
            () -> {
              try {
                while (!stop.get()) {
                  flooder.send(
                      "{\"type\":\"ping\",\"rid\":\"f" + floodFrames.incrementAndGet() + "\"}");
                }
              } catch (IOException closedByServer) {
                // the server closed the flooder (4429): that is the expected end
              }
              floodEndedAt.set(System.nanoTime());
            });
    flood.start();
    List<Long> during;
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> floodFrames.get() > 2000);
      during = chatLatencies(senders, acks, 40);
    } finally {
      stop.set(true);
      flood.join(10_000);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.connectionCount() == SENDERS);
    long closedMs = (System.nanoTime() - floodStart) / 1_000_000;
    long acked = assertNoneLost("calm", senders, acks);
    System.out.printf(
        "FAULT flood: flooder sent %d frames and was closed within %d ms; chat ack latency p50"
            + " %d ms before, %d ms during (p90 %d ms); %d acked messages, lost 0%n",
        floodFrames.get(),
        closedMs,
        baseline.get(baseline.size() / 2),
        during.get(during.size() / 2),
        during.get(during.size() * 9 / 10),
        acked);
    assertThat(during.get(during.size() / 2))
        .as("median ack ms during the flood, baseline %s", baseline)
        .isLessThan(Math.max(1000, 10 * baseline.get(baseline.size() / 2)));
  }

  /** Each sender sends {@code n} messages one after the other; the ack round-trips, sorted. */
  private static List<Long> chatLatencies(
      List<Sender> senders, List<CompletableFuture<ChatMessage>> acks, int n) throws Exception {
    List<Long> times = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Void>> runs = new ArrayList<>();
    for (Sender s : senders) {
      runs.add(
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; i < n; i++) {
                  long t0 = System.nanoTime();
                  CompletableFuture<ChatMessage> ack = s.client.sendChat(s.room, "hi " + i);
                  synchronized (acks) {
                    acks.add(ack);
                  }
                  ack.join();
                  times.add((System.nanoTime() - t0) / 1_000_000);
                }
              }));
    }
    CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(15, TimeUnit.SECONDS);
    List<Long> sorted = new ArrayList<>(times);
    Collections.sort(sorted);
    return sorted;
  }

  /** Every ack is in the store and was delivered to every sender; returns the acked count. */
  private long assertNoneLost(
      String room, List<Sender> senders, List<CompletableFuture<ChatMessage>> acks)
      throws Exception {
    Set<Long> ackedSeqs = ConcurrentHashMap.newKeySet();
    for (CompletableFuture<ChatMessage> a : acks) {
      ackedSeqs.add(a.get(10, TimeUnit.SECONDS).seq());
    }
    Set<Long> stored = ConcurrentHashMap.newKeySet();
    long after = 0;
    while (true) {
      HistoryPage page = flowSync.chat().after(room, after, 200);
      page.messages().forEach(m -> stored.add(m.seq()));
      if (page.messages().isEmpty() || !page.hasMore()) {
        break;
      }
      after = page.messages().get(page.messages().size() - 1).seq();
    }
    assertThat(stored).as("stored seqs").containsAll(ackedSeqs);
    for (Sender s : senders) {
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(s.received).containsAll(ackedSeqs));
    }
    return ackedSeqs.size();
  }

  private List<Sender> senders(String room) throws Exception {
    List<Sender> senders = new ArrayList<>();
    for (int i = 0; i < SENDERS; i++) {
      Set<Long> received = ConcurrentHashMap.newKeySet();
      FlowSyncClient c = FlowSyncClient.connect(server.webSocketUri(), token("s" + i));
      opened.add(c);
      c.onEvent(
          e -> {
            if (e instanceof ClientEvent.Chat chat && chat.room().equals(room)) {
              received.add(chat.message().seq());
            }
          });
      c.join(room).get(5, TimeUnit.SECONDS);
      senders.add(new Sender(c, room, received));
    }
    return senders;
  }

  private RawSocketClient raw() throws IOException {
    RawSocketClient c = new RawSocketClient(server.webSocketUri());
    opened.add(c);
    return c;
  }

  private int members(String room) {
    return flowSync.presence().members(room).size();
  }

  private String token(String user) {
    return flowSync.tokens().issue(user, user, null, null).token();
  }

  private record Sender(FlowSyncClient client, String room, Set<Long> received) {}
}

package dev.flowsync.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.core.room.RoomSpec;
import dev.flowsync.core.timer.Phase;
import dev.flowsync.core.timer.TimerState;
import dev.flowsync.core.timer.TimerStatus;
import dev.flowsync.signaling.client.ClientEvent;
import dev.flowsync.signaling.client.FlowSyncClient;
import dev.flowsync.signaling.client.FlowSyncClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Three nodes on one Redis and one PostgreSQL; every client talks to one node over a real
 * WebSocket, and each test checks what the users see on the other nodes.
 */
@DisplayName("Three nodes over Redis and PostgreSQL, as the users see them")
class ThreeNodeIntegrationTest {
  // A bound on "never arrives", not a latency target: CI shares two cores with everything else.
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static Cluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = Cluster.start(3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @DisplayName(
      "presence crosses nodes: joined lists members of every node, member.joined and member.left"
          + " reach the others")
  void presenceAcrossNodes() {
    FlowSyncClient ana = cluster.client(1, "ana");
    FlowSyncClient bo = cluster.client(2, "bo");
    FlowSyncClient cy = cluster.client(3, "cy");

    ana.join("presence").join();
    FlowSyncClient.Joined boJoined = bo.join("presence").join();
    assertThat(ids(boJoined.members())).containsExactly(ana.connectionId(), bo.connectionId());
    FlowSyncClient.Joined cyJoined = cy.join("presence").join();
    assertThat(ids(cyJoined.members()))
        .containsExactly(ana.connectionId(), bo.connectionId(), cy.connectionId());

    assertThat(joinedFrom(ana, "presence", 2))
        .containsExactly(bo.connectionId(), cy.connectionId());
    assertThat(joinedFrom(bo, "presence", 1)).containsExactly(cy.connectionId());
    for (FlowSyncClient c : List.of(ana, bo, cy)) {
      c.ping().join();
      assertThat(c.pendingEvents()).noneMatch(e -> e instanceof ClientEvent.MemberJoined);
    }

    cy.setState("presence", "{\"mic\":false,\"hand\":true}").join();
    for (FlowSyncClient c : List.of(ana, bo)) {
      ClientEvent.MemberUpdated updated =
          c.await(ClientEvent.MemberUpdated.class, e -> e.room().equals("presence"), WAIT);
      assertThat(updated.member().connectionId()).isEqualTo(cy.connectionId());
      assertThat(updated.member().stateJson()).isEqualTo("{\"mic\":false,\"hand\":true}");
    }

    cy.leave("presence").join();
    for (FlowSyncClient c : List.of(ana, bo)) {
      ClientEvent.MemberLeft left =
          c.await(ClientEvent.MemberLeft.class, e -> e.room().equals("presence"), WAIT);
      assertThat(left.connectionId()).isEqualTo(cy.connectionId());
      assertThat(left.reason()).isEqualTo("left");
    }

    bo.abort(); // the network drops bo: after node 2's resume grace the others see it leave
    ClientEvent.MemberLeft left =
        ana.await(ClientEvent.MemberLeft.class, e -> e.room().equals("presence"), WAIT);
    assertThat(left.connectionId()).isEqualTo(bo.connectionId());
    assertThat(left.reason()).isEqualTo("disconnected");
  }

  @Test
  @DisplayName(
      "a signal reaches its target on another node with the payload untouched, and never another"
          + " member or room")
  void signalingAcrossNodes() {
    FlowSyncClient ana = cluster.client(1, "ana");
    FlowSyncClient bo = cluster.client(2, "bo");
    FlowSyncClient cy = cluster.client(3, "cy");
    FlowSyncClient dee = cluster.client(2, "dee");
    ana.join("call").join();
    bo.join("call").join();
    cy.join("call").join();
    dee.join("other-call").join();

    // Jackson's own rendering, so the received payload can be compared as text.
    String offer =
        "{\"sdp\":\"v=0\\r\\no=- 4611731400430051336 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\n\","
            + "\"n\":[1,2.5,true,null,{\"deep\":[]}],\"text\":\"Grüße \\\"quoted\\\" 😀\"}";
    ana.signal("call", bo.connectionId(), "offer", offer).join();
    ClientEvent.Signal got = bo.await(ClientEvent.Signal.class, s -> true, WAIT);
    assertThat(got.room()).isEqualTo("call");
    assertThat(got.from()).isEqualTo(ana.connectionId());
    assertThat(got.kind()).isEqualTo("offer");
    assertThat(got.payloadJson()).isEqualTo(offer);

    bo.signal("call", ana.connectionId(), "answer", "{\"sdp\":\"a\"}").join();
    assertThat(ana.await(ClientEvent.Signal.class, s -> true, WAIT).kind()).isEqualTo("answer");
    cy.signal("call", ana.connectionId(), "candidate", "\"c3\"").join();
    assertThat(ana.await(ClientEvent.Signal.class, s -> true, WAIT).payloadJson())
        .isEqualTo("\"c3\"");

    // dee is connected, but not in room "call": the signal is refused, nothing is relayed.
    assertThatThrownBy(() -> ana.signal("call", dee.connectionId(), "offer", "{}").join())
        .hasCauseInstanceOf(FlowSyncClientException.class)
        .cause()
        .extracting(e -> ((FlowSyncClientException) e).code())
        .isEqualTo("peer_not_found");
    assertThatThrownBy(() -> ana.signal("other-call", dee.connectionId(), "offer", "{}").join())
        .hasCauseInstanceOf(FlowSyncClientException.class);
    // A later signal to bo overtakes nothing that was meant for dee or cy.
    ana.signal("call", bo.connectionId(), "bye", "{}").join();
    assertThat(bo.await(ClientEvent.Signal.class, s -> true, WAIT).kind()).isEqualTo("bye");
    dee.ping().join();
    cy.ping().join();
    assertThat(dee.pendingEvents()).noneMatch(e -> e instanceof ClientEvent.Signal);
    assertThat(cy.pendingEvents()).noneMatch(e -> e instanceof ClientEvent.Signal);
  }

  @Test
  @DisplayName(
      "chat seq is gapless and the same for everyone when clients on all three nodes send at once")
  void chatSeqAcrossNodes() throws Exception {
    int perNode = 3;
    int messagesEach = 20;
    List<FlowSyncClient> senders = new ArrayList<>();
    for (int node = 1; node <= 3; node++) {
      for (int i = 0; i < perNode; i++) {
        FlowSyncClient c = cluster.client(node, "writer-" + node + "-" + i);
        c.join("chat").join();
        senders.add(c);
      }
    }
    int total = senders.size() * messagesEach;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(senders.size());
    Set<Long> acked = ConcurrentHashMap.newKeySet();
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (FlowSyncClient c : senders) {
      done.add(
          CompletableFuture.runAsync(
              () -> {
                await(go);
                List<CompletableFuture<ChatMessage>> acks = new ArrayList<>();
                for (int m = 0; m < messagesEach; m++) {
                  acks.add(c.sendChat("chat", "m" + m));
                }
                acks.forEach(a -> acked.add(a.join().seq()));
              },
              pool));
    }
    go.countDown();
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    pool.shutdown();

    Set<Long> expected = LongStream.rangeClosed(1, total).boxed().collect(Collectors.toSet());
    assertThat(acked).isEqualTo(expected);
    for (FlowSyncClient c : senders) {
      List<Long> seen = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        seen.add(
            c.await(ClientEvent.Chat.class, e -> e.room().equals("chat"), WAIT).message().seq());
      }
      assertThat(new HashSet<>(seen)).isEqualTo(expected);
    }
    List<Long> history = new ArrayList<>();
    Long after = 0L;
    while (history.size() < total) {
      List<ChatMessage> page = senders.get(4).history("chat", null, after, 200).join().messages();
      assertThat(page).isNotEmpty();
      page.forEach(m -> history.add(m.seq()));
      after = history.get(history.size() - 1);
    }
    assertThat(history)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
    FlowSyncClient probe = senders.get(0);
    probe.ping().join();
    assertThat(probe.pendingEvents()).noneMatch(e -> e instanceof ClientEvent.Chat);
  }

  @Test
  @DisplayName(
      "a chat message retried on another node with the same clientMsgId is stored once and"
          + " acknowledged with the same seq")
  void chatRetryOnAnotherNode() {
    FlowSyncClient first = cluster.client(1, "ana");
    FlowSyncClient retry = cluster.client(3, "ana"); // the same user, reconnected elsewhere
    FlowSyncClient reader = cluster.client(2, "bo");
    for (FlowSyncClient c : List.of(first, retry, reader)) {
      c.join("retry").join();
    }
    ChatMessage stored = first.sendChat("retry", "only once", "msg-1").join();
    ChatMessage again = retry.sendChat("retry", "only once", "msg-1").join();
    assertThat(again.seq()).isEqualTo(stored.seq());
    assertThat(again.id()).isEqualTo(stored.id());
    assertThat(reader.history("retry", null, 0L, 50).join().messages())
        .extracting(ChatMessage::text)
        .containsExactly("only once");
  }

  @Test
  @DisplayName(
      "a room's capacity holds cluster-wide when clients on three nodes join at the same moment")
  void capacityAcrossNodes() throws Exception {
    int capacity = 4;
    int perNode = 4;
    for (int round = 0; round < 3; round++) {
      String room = "cap-" + round;
      cluster
          .node(1)
          .flowSync
          .rooms()
          .create(new RoomSpec(room, null, capacity, null, null, null, null));
      List<FlowSyncClient> joiners = new ArrayList<>();
      for (int node = 1; node <= 3; node++) {
        for (int i = 0; i < perNode; i++) {
          joiners.add(cluster.client(node, "j" + round + "-" + node + "-" + i));
        }
      }
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(joiners.size());
      List<CompletableFuture<String>> outcomes = new ArrayList<>();
      for (FlowSyncClient c : joiners) {
        outcomes.add(
            CompletableFuture.supplyAsync(
                () -> {
                  await(go);
                  try {
                    c.join(room).join();
                    return "joined";
                  } catch (CompletionException e) {
                    return ((FlowSyncClientException) e.getCause()).code();
                  }
                },
                pool));
      }
      go.countDown();
      List<String> results = new ArrayList<>();
      for (CompletableFuture<String> o : outcomes) {
        results.add(o.get(30, TimeUnit.SECONDS));
      }
      pool.shutdown();
      assertThat(results).filteredOn("joined"::equals).hasSize(capacity);
      assertThat(results).filteredOn("room_full"::equals).hasSize(joiners.size() - capacity);
      for (ClusterNode n : cluster.nodes) {
        assertThat(n.flowSync.presence().members(room)).hasSize(capacity);
      }
    }
  }

  @Test
  @DisplayName("every client on every node sees each timer phase change exactly once")
  void timerAcrossNodes() {
    FlowSyncClient ana = cluster.client(1, "ana");
    FlowSyncClient bo = cluster.client(2, "bo");
    FlowSyncClient cy = cluster.client(3, "cy");
    for (FlowSyncClient c : List.of(ana, bo, cy)) {
      c.join("timer").join();
    }
    List<Phase> phases = List.of(new Phase("a", 400), new Phase("b", 400), new Phase("c", 400));
    TimerState started = ana.startTimer("timer", phases, false).join();
    assertThat(started.version()).isEqualTo(1);

    assertThat(timerVersionsUntilFinished(ana)).containsExactly(2L, 3L, 4L);
    assertThat(timerVersionsUntilFinished(bo)).containsExactly(1L, 2L, 3L, 4L);
    assertThat(timerVersionsUntilFinished(cy)).containsExactly(1L, 2L, 3L, 4L);
    for (FlowSyncClient c : List.of(ana, bo, cy)) {
      c.ping().join();
      assertThat(c.pendingEvents()).noneMatch(e -> e instanceof ClientEvent.Timer);
    }
  }

  /** The versions of the timer events a client receives until the timer finishes. */
  static List<Long> timerVersionsUntilFinished(FlowSyncClient c) {
    List<Long> versions = new ArrayList<>();
    TimerStatus status = TimerStatus.RUNNING;
    while (status != TimerStatus.FINISHED) {
      TimerState t = c.await(ClientEvent.Timer.class, e -> true, WAIT).timer();
      versions.add(t.version());
      status = t.status();
    }
    return versions;
  }

  private static List<String> joinedFrom(FlowSyncClient c, String room, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(
          c.await(ClientEvent.MemberJoined.class, e -> e.room().equals(room), WAIT)
              .member()
              .connectionId());
    }
    return ids;
  }

  private static List<String> ids(List<ClientEvent.MemberInfo> members) {
    return members.stream().map(ClientEvent.MemberInfo::connectionId).toList();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

package dev.flowsync.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.core.timer.Phase;
import dev.flowsync.core.timer.TimerStatus;
import dev.flowsync.signaling.client.ClientEvent;
import dev.flowsync.signaling.client.FlowSyncClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Three nodes on a Redis of the test's own ({@link PrivateRedis}, never the shared one), which the
 * test takes away and brings back while users are connected.
 */
@DisplayName("Three nodes through a Redis outage")
class RedisOutageIntegrationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration RECOVERY = Duration.ofSeconds(20);

  private PrivateRedis redis;
  private Cluster cluster;
  private FlowSyncClient ana; // node 1, rooms local and x
  private FlowSyncClient bo; // node 1, room local
  private FlowSyncClient cy; // node 2, room x
  private FlowSyncClient dee; // node 3, room x

  @BeforeEach
  void start(org.junit.jupiter.api.TestInfo test) throws Exception {
    redis = PrivateRedis.start(test.getTags().contains("persistent-redis"));
    cluster = Cluster.start(3, "127.0.0.1", redis.port, s -> s);
    ana = cluster.client(1, "ana");
    bo = cluster.client(1, "bo");
    cy = cluster.client(2, "cy");
    dee = cluster.client(3, "dee");
    ana.join("local").join();
    bo.join("local").join();
    for (FlowSyncClient c : List.of(ana, cy, dee)) {
      c.join("x").join();
    }
    awaitStatus("ok");
  }

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  @DisplayName(
      "while Redis is down a node serves its local rooms and says degraded; after a restart the"
          + " bus delivers across nodes again and no acked chat is lost")
  void redisRestart() throws Exception {
    redis.stop();
    awaitStatus("degraded");

    ChatMessage local = ana.sendChat("local", "Redis is down, we are not").join();
    assertThat(bo.await(ClientEvent.Chat.class).message()).isEqualTo(local);
    ana.signal("local", bo.connectionId(), "offer", "{\"sdp\":\"local\"}").join();
    assertThat(bo.await(ClientEvent.Signal.class).payloadJson()).isEqualTo("{\"sdp\":\"local\"}");
    ChatMessage duringOutage = ana.sendChat("x", "sent during the outage").join();
    for (FlowSyncClient c : List.of(ana, bo, cy, dee)) {
      c.ping().join();
    }

    redis.restart();
    awaitStatus("ok");

    ChatMessage after = cy.sendChat("x", "Redis is back").join();
    assertThat(after.seq()).isEqualTo(duringOutage.seq() + 1);
    for (FlowSyncClient c : List.of(ana, dee)) {
      assertThat(
              c.await(ClientEvent.Chat.class, e -> e.message().seq() == after.seq(), RECOVERY)
                  .message()
                  .text())
          .isEqualTo("Redis is back");
    }
    assertThat(dee.history("x", null, 0L, 50).join().messages())
        .extracting(ChatMessage::text)
        .containsExactly("sent during the outage", "Redis is back");
  }

  @Test
  @DisplayName(
      "after Redis restarts empty, the live members are registered again: a newcomer sees them"
          + " and can signal them")
  void liveMembersRegisteredAgain() throws Exception {
    redis.stop();
    awaitStatus("degraded");
    redis.restart();
    awaitStatus("ok");

    FlowSyncClient fay = cluster.client(2, "fay");
    await()
        .atMost(RECOVERY)
        .untilAsserted(
            () -> {
              // Re-registration may take a moment after the bus is back; joining again is cheap.
              fay.leave("x").exceptionally(e -> null).join();
              assertThat(fay.join("x").join().members())
                  .extracting(ClientEvent.MemberInfo::connectionId)
                  .contains(ana.connectionId(), cy.connectionId(), dee.connectionId());
            });
    fay.signal("x", dee.connectionId(), "offer", "{}").join();
    assertThat(dee.await(ClientEvent.Signal.class).from()).isEqualTo(fay.connectionId());
  }

  @Test
  @DisplayName(
      "a Redis that freezes longer than the node lease and comes back with its data reaps no live"
          + " node: nobody sees member.left")
  void frozenRedisReapsNoLiveNode() throws Exception {
    redis.freeze(true);
    try {
      awaitStatus("degraded");
      // Longer than the 2 s lease: every node's last renewal has run out when Redis wakes up.
      await().pollDelay(Duration.ofSeconds(3)).until(() -> true);
    } finally {
      redis.freeze(false);
    }
    awaitStatus("ok");

    FlowSyncClient fay = cluster.client(2, "fay");
    assertThat(fay.join("x").join().members())
        .extracting(ClientEvent.MemberInfo::connectionId)
        .containsExactly(
            ana.connectionId(), cy.connectionId(), dee.connectionId(), fay.connectionId());
    for (FlowSyncClient c : List.of(ana, cy, dee)) {
      c.ping().join();
      assertThat(c.pendingEvents()).noneMatch(e -> e instanceof ClientEvent.MemberLeft);
    }
  }

  @Test
  @DisplayName(
      "a client whose connection drops after Redis restarted empty reconnects with its token")
  void tokensSurviveRedisRestart() throws Exception {
    redis.stop();
    awaitStatus("degraded");
    redis.restart();
    awaitStatus("ok");

    cy.reconnect();
    assertThat(cy.isOpen()).isTrue();
  }

  @Test
  @DisplayName("a running timer goes on after Redis restarted empty")
  void timerSurvivesRedisRestart() throws Exception {
    cy.startTimer("x", List.of(new Phase("a", 3000), new Phase("b", 500)), false).join();
    redis.stop();
    awaitStatus("degraded");
    redis.restart();
    awaitStatus("ok");

    assertThat(
            dee.await(
                    ClientEvent.Timer.class,
                    e -> e.timer().phaseIndex() == 1,
                    Duration.ofSeconds(10))
                .timer()
                .status())
        .isEqualTo(TimerStatus.RUNNING);
  }

  @Test
  @org.junit.jupiter.api.Tag("persistent-redis")
  @DisplayName(
      "with a persistent Redis (append-only file) a restart keeps everyone: members, cross-node"
          + " signals and tokens work as before")
  void persistentRedisRestart() throws Exception {
    redis.stop();
    awaitStatus("degraded");
    redis.restart();
    awaitStatus("ok");

    FlowSyncClient fay = cluster.client(2, "fay");
    assertThat(fay.join("x").join().members())
        .extracting(ClientEvent.MemberInfo::connectionId)
        .containsExactly(
            ana.connectionId(), cy.connectionId(), dee.connectionId(), fay.connectionId());
    fay.signal("x", dee.connectionId(), "offer", "{\"sdp\":\"after\"}").join();
    assertThat(dee.await(ClientEvent.Signal.class).from()).isEqualTo(fay.connectionId());
    cy.reconnect();
    assertThat(cy.isOpen()).isTrue();
  }

  @Test
  @org.junit.jupiter.api.Tag("persistent-redis")
  @DisplayName(
      "a member who disconnects while Redis is down is gone for everyone once Redis is back with"
          + " its data")
  void noGhostsAfterAnOutage() throws Exception {
    redis.stop();
    awaitStatus("degraded");
    cy.abort();
    // cy's grace (1 s) runs out and node 2's attempt to remove it fails: nobody listens.
    await().pollDelay(Duration.ofSeconds(3)).until(() -> true);
    redis.restart();
    awaitStatus("ok");

    FlowSyncClient fay = cluster.client(3, "fay");
    await()
        .atMost(RECOVERY)
        .untilAsserted(
            () -> {
              // Cleaning up after the outage may take a moment; joining again is cheap.
              fay.leave("x").exceptionally(e -> null).join();
              assertThat(fay.join("x").join().members())
                  .extracting(ClientEvent.MemberInfo::connectionId)
                  .containsExactly(ana.connectionId(), dee.connectionId(), fay.connectionId());
            });
  }

  private void awaitStatus(String status) {
    await()
        .atMost(RECOVERY)
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              for (ClusterNode n : cluster.nodes) {
                JsonNode health = JSON.readTree(n.health().body());
                assertThat(health.path("status").asText()).as(n.nodeId).isEqualTo(status);
              }
            });
  }
}

package dev.flowsync.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowsync.core.timer.Phase;
import dev.flowsync.core.timer.TimerState;
import dev.flowsync.signaling.client.ClientEvent;
import dev.flowsync.signaling.client.FlowSyncClient;
import dev.flowsync.testing.TestServices;
import dev.flowsync.testing.WsTestClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * A node dies ({@link ClusterNode#stopAbruptly()}: no bye, no leave, no close frame, no more lease
 * renewals) or stops gracefully, and the users on the surviving nodes see what they should.
 */
@DisplayName("A node of three dies or stops")
class NodeDeathIntegrationTest {
  private Cluster cluster;

  /**
   * How long the survivors may take to report a dead node's members gone: the lease must run out (2
   * s unrenewed; the last renewal was up to 1 s before the death, which only shortens it), then the
   * next reaper round (every 1 s) on a survivor takes them over, they wait the resume grace (1 s)
   * there, then one bus hop. 2 s more for this shared machine.
   */
  static final Duration DEATH_BOUND = Duration.ofSeconds(2 + 1 + 1 + 2);

  /** The resume grace of the tests tagged {@code long-grace}: longer than lease and reaper. */
  static final Duration LONG_GRACE = Duration.ofSeconds(10);

  @BeforeEach
  void start(TestInfo test) {
    cluster =
        test.getTags().contains("long-grace")
            ? Cluster.start(
                3,
                TestServices.redis().host(),
                TestServices.redis().port(),
                s -> s.withTimings(s.heartbeat(), LONG_GRACE, s.nodeLeaseTtl()))
            : Cluster.start(3);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  @DisplayName(
      "the members of a node killed abruptly leave the others' rooms (disconnected) within lease +"
          + " reaper period + resume grace")
  void deadNodesMembersLeave() throws Exception {
    FlowSyncClient ana = cluster.client(1, "ana");
    FlowSyncClient eve = cluster.client(1, "eve");
    FlowSyncClient bo = cluster.client(2, "bo");
    FlowSyncClient cy = cluster.client(3, "cy");
    for (FlowSyncClient c : List.of(ana, eve, bo, cy)) {
      c.join("room").join();
    }
    eve.join("second").join();
    bo.join("second").join();

    long killedAt = System.nanoTime();
    cluster.node(1).stopAbruptly();

    assertThat(ana.closed().get(5, TimeUnit.SECONDS)).isEqualTo(1006);
    assertThat(ana.pendingEvents()).noneMatch(e -> e instanceof ClientEvent.Bye);
    long slowest = 0;
    for (FlowSyncClient survivor : List.of(bo, cy)) {
      for (FlowSyncClient gone : List.of(ana, eve)) {
        ClientEvent.MemberLeft left =
            survivor.await(
                ClientEvent.MemberLeft.class,
                e -> e.room().equals("room") && e.connectionId().equals(gone.connectionId()),
                DEATH_BOUND.plusSeconds(5));
        slowest = Math.max(slowest, System.nanoTime() - killedAt);
        assertThat(left.reason()).isEqualTo("disconnected");
      }
    }
    ClientEvent.MemberLeft second =
        bo.await(ClientEvent.MemberLeft.class, e -> e.room().equals("second"), DEATH_BOUND);
    assertThat(second.connectionId()).isEqualTo(eve.connectionId());
    System.out.printf(
        "Node death: the last member.left reached the survivors %d ms after the kill%n",
        slowest / 1_000_000);
    assertThat(Duration.ofNanos(slowest)).isLessThanOrEqualTo(DEATH_BOUND);

    FlowSyncClient dee = cluster.client(3, "dee");
    assertThat(dee.join("room").join().members())
        .extracting(ClientEvent.MemberInfo::connectionId)
        .containsExactly(bo.connectionId(), cy.connectionId(), dee.connectionId());
    bo.sendChat("room", "still here").join();
    assertThat(cy.await(ClientEvent.Chat.class, e -> true, Duration.ofSeconds(5)).message().text())
        .isEqualTo("still here");
  }

  @Test
  @DisplayName(
      "a node process killed with kill -9 (SIGKILL, its own JVM): its members leave the others'"
          + " rooms within the same bound")
  void realKill() throws Exception {
    // A freshly started JVM on a loaded machine can stall past a 2 s heartbeat timeout and close
    // its client (1001) before the kill; the heartbeat plays no part in the death bound.
    ClusterNode.Settings s = cluster.settings;
    try (ClusterNodeProcess four =
        ClusterNodeProcess.start(
            "node-4", s.withTimings(Duration.ofSeconds(5), s.resumeGrace(), s.nodeLeaseTtl()))) {
      FlowSyncClient ana =
          FlowSyncClient.builder(four.webSocketUri, cluster.node(1).token("ana"))
              .requestTimeout(Duration.ofSeconds(10))
              .connect();
      FlowSyncClient bo = cluster.client(2, "bo");
      ana.join("room").join();
      bo.join("room").join();

      long killedAt = System.nanoTime();
      four.kill();

      assertThat(ana.closed().get(5, TimeUnit.SECONDS)).isEqualTo(1006);
      ClientEvent.MemberLeft left =
          bo.await(ClientEvent.MemberLeft.class, e -> true, DEATH_BOUND.plusSeconds(5));
      long took = System.nanoTime() - killedAt;
      System.out.printf(
          "kill -9: member.left reached the survivor %d ms after the kill%n", took / 1_000_000);
      assertThat(left.connectionId()).isEqualTo(ana.connectionId());
      assertThat(left.reason()).isEqualTo("disconnected");
      assertThat(Duration.ofNanos(took)).isLessThanOrEqualTo(DEATH_BOUND);
    }
  }

  @Test
  @DisplayName(
      "the timer goes on when the node that started it dies before the phase ends: each change"
          + " exactly once")
  void timerSurvivesItsNode() {
    FlowSyncClient ana = cluster.client(1, "ana");
    FlowSyncClient bo = cluster.client(2, "bo");
    FlowSyncClient cy = cluster.client(3, "cy");
    for (FlowSyncClient c : List.of(ana, bo, cy)) {
      c.join("timer").join();
    }
    List<Phase> phases = List.of(new Phase("a", 1500), new Phase("b", 400), new Phase("c", 400));
    TimerState started = ana.startTimer("timer", phases, false).join();
    for (FlowSyncClient c : List.of(bo, cy)) {
      assertThat(c.await(ClientEvent.Timer.class).timer().version()).isEqualTo(1);
    }
    cluster.node(1).stopAbruptly();
    assertThat(System.currentTimeMillis()).isLessThan(started.endsAt().toEpochMilli());

    assertThat(ThreeNodeIntegrationTest.timerVersionsUntilFinished(bo)).containsExactly(2L, 3L, 4L);
    assertThat(ThreeNodeIntegrationTest.timerVersionsUntilFinished(cy)).containsExactly(2L, 3L, 4L);
    for (FlowSyncClient c : List.of(bo, cy)) {
      c.ping().join();
      assertThat(c.pendingEvents()).noneMatch(e -> e instanceof ClientEvent.Timer);
    }
  }

  @Test
  @DisplayName("a node stopped gracefully says bye; its members leave the others' rooms (closed)")
  void gracefulStop() {
    FlowSyncClient ana = cluster.client(1, "ana");
    FlowSyncClient bo = cluster.client(2, "bo");
    ana.join("room").join();
    bo.join("room").join();
    cluster.node(1).stop();
    assertThat(ana.await(ClientEvent.Bye.class).reason()).isEqualTo("shutdown");
    ClientEvent.MemberLeft left = bo.await(ClientEvent.MemberLeft.class);
    assertThat(left.connectionId()).isEqualTo(ana.connectionId());
    assertThat(left.reason()).isEqualTo("closed");
  }

  @Test
  @DisplayName(
      "a client of a dead node that comes back before the node's lease runs out resumes on"
          + " another node: same connectionId, no member.left")
  void resumeAfterNodeDeath() throws Exception {
    ClusterNode one = cluster.node(1);
    String token = one.token("ana");
    FlowSyncClient ana = FlowSyncClient.connect(one.webSocketUri(), token);
    FlowSyncClient bo = cluster.client(2, "bo");
    ana.join("room").join();
    bo.join("room").join();
    one.stopAbruptly();

    WsTestClient back =
        new WsTestClient(cluster.node(2).webSocketUri(), true, Duration.ofSeconds(10));
    back.send(
        "{\"type\":\"hello\",\"token\":\""
            + token
            + "\",\"resume\":\""
            + ana.welcome().resumeToken()
            + "\"}");
    JsonNode welcome = back.next();
    assertThat(welcome.path("resumed").asBoolean()).isTrue();
    assertThat(welcome.path("connectionId").asText()).isEqualTo(ana.connectionId());
    assertThat(back.next().path("type").asText()).isEqualTo("joined");
    bo.ping().join();
    assertThat(bo.pendingEvents()).noneMatch(e -> e instanceof ClientEvent.MemberLeft);
    back.close(); // drops the socket without a close frame
  }

  @Test
  @Tag("long-grace")
  @DisplayName(
      "clients of a killed node resume on a survivor long after its lease ran out, on the survivor"
          + " holding them and on the other one: same connectionId, resumed, nobody sees"
          + " member.left")
  void resumeAfterTakeOver() throws Exception {
    ClusterNode one = cluster.node(1);
    String anaToken = one.token("ana");
    String eveToken = one.token("eve");
    FlowSyncClient ana = FlowSyncClient.connect(one.webSocketUri(), anaToken);
    FlowSyncClient eve = FlowSyncClient.connect(one.webSocketUri(), eveToken);
    FlowSyncClient bo = cluster.client(2, "bo");
    FlowSyncClient cy = cluster.client(3, "cy");
    for (FlowSyncClient c : List.of(ana, eve, bo, cy)) {
      c.join("room").join();
    }
    long killedAt = System.nanoTime();
    one.stopAbruptly();

    // A survivor takes node-1's members over once its lease ran out; they stay in the room.
    String holder = awaitHolder(ana.connectionId(), Duration.ofSeconds(15));
    System.out.printf(
        "Node death: %s took node-1's members over %d ms after the kill%n",
        holder, (System.nanoTime() - killedAt) / 1_000_000);
    // Well past the old lease (2 s) and the reaper: only the take-over keeps them resumable.
    await().pollDelay(Duration.ofSeconds(6)).until(() -> true);
    int holderIndex = holder.equals("node-2") ? 2 : 3;
    int otherIndex = 5 - holderIndex;

    for (Object[] c :
        List.of(
            new Object[] {ana, anaToken, otherIndex}, new Object[] {eve, eveToken, holderIndex})) {
      FlowSyncClient gone = (FlowSyncClient) c[0];
      WsTestClient back =
          new WsTestClient(cluster.node((int) c[2]).webSocketUri(), true, Duration.ofSeconds(10));
      back.send(
          "{\"type\":\"hello\",\"token\":\""
              + c[1]
              + "\",\"resume\":\""
              + gone.welcome().resumeToken()
              + "\"}");
      JsonNode welcome = back.next();
      assertThat(welcome.path("resumed").asBoolean()).as("resumed on node %s", c[2]).isTrue();
      assertThat(welcome.path("connectionId").asText()).isEqualTo(gone.connectionId());
      JsonNode joined = back.next();
      assertThat(joined.path("type").asText()).isEqualTo("joined");
      assertThat(joined.path("room").asText()).isEqualTo("room");
      assertThat(cluster.node(2).flowSync.presence().find("room", gone.connectionId()))
          .map(m -> m.nodeId())
          .contains("node-" + c[2]);
    }

    // Past the end of the grace the survivor gave them: nothing leaves late either.
    await().pollDelay(LONG_GRACE.minusSeconds(4)).until(() -> true);
    for (FlowSyncClient c : List.of(bo, cy)) {
      c.ping().join();
      assertThat(c.pendingEvents()).noneMatch(e -> e instanceof ClientEvent.MemberLeft);
    }
    FlowSyncClient dee = cluster.client(2, "dee");
    assertThat(dee.join("room").join().members())
        .extracting(ClientEvent.MemberInfo::connectionId)
        .contains(ana.connectionId(), eve.connectionId());
  }

  @Test
  @Tag("long-grace")
  @DisplayName(
      "a killed node's member nobody resumes leaves the others' rooms after lease + reaper +"
          + " resume grace, not before the grace")
  void memberLeftAfterTheGrace() throws Exception {
    FlowSyncClient ana = cluster.client(1, "ana");
    FlowSyncClient bo = cluster.client(2, "bo");
    ana.join("room").join();
    bo.join("room").join();

    long killedAt = System.nanoTime();
    cluster.node(1).stopAbruptly();

    ClientEvent.MemberLeft left =
        bo.await(ClientEvent.MemberLeft.class, e -> true, LONG_GRACE.plusSeconds(2 + 1 + 10));
    Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
    System.out.printf(
        "Node death: member.left %d ms after the kill (grace %d s)%n",
        took.toMillis(), LONG_GRACE.toSeconds());
    assertThat(left.connectionId()).isEqualTo(ana.connectionId());
    assertThat(left.reason()).isEqualTo("disconnected");
    assertThat(took).isGreaterThanOrEqualTo(LONG_GRACE);
    assertThat(took).isLessThanOrEqualTo(LONG_GRACE.plus(DEATH_BOUND));
  }

  /** The survivor that holds the connection's membership once node-1 was taken over. */
  private String awaitHolder(String connectionId, Duration atMost) {
    String[] holder = new String[1];
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              holder[0] =
                  cluster
                      .node(2)
                      .flowSync
                      .presence()
                      .find("room", connectionId)
                      .map(m -> m.nodeId())
                      .orElse("gone");
              return !holder[0].equals("node-1");
            });
    assertThat(holder[0]).isIn("node-2", "node-3");
    return holder[0];
  }
}

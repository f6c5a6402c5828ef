package dev.flowsync.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowsync.signaling.client.ClientEvent;
import dev.flowsync.signaling.client.FlowSyncClient;
import dev.flowsync.signaling.client.FlowSyncClientException;
import dev.flowsync.testing.WsTestClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A node remembers on which node the members of its rooms are, so that a signal needs no presence
 * read; these tests check that what it remembers never sends a signal to the wrong place.
 */
@DisplayName("Signals across nodes follow their target")
class SignalRoutingIntegrationTest {
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
  @DisplayName("a signal to a member that left another node is refused, not sent to where it was")
  void leftMemberIsNotFound() {
    FlowSyncClient ana = cluster.client(1, "ana");
    FlowSyncClient bo = cluster.client(2, "bo");
    ana.join("left").join();
    bo.join("left").join();
    ana.signal("left", bo.connectionId(), "offer", "{\"n\":1}").join();
    assertThat(bo.await(ClientEvent.Signal.class, s -> true, WAIT).payloadJson())
        .isEqualTo("{\"n\":1}");

    bo.leave("left").join();
    ana.await(ClientEvent.MemberLeft.class, e -> e.room().equals("left"), WAIT);
    assertThatThrownBy(() -> ana.signal("left", bo.connectionId(), "offer", "{}").join())
        .hasCauseInstanceOf(FlowSyncClientException.class)
        .cause()
        .extracting(e -> ((FlowSyncClientException) e).code())
        .isEqualTo("peer_not_found");

    bo.join("left").join(); // back, same connection
    ana.signal("left", bo.connectionId(), "offer", "{\"n\":3}").join();
    assertThat(bo.await(ClientEvent.Signal.class, s -> true, WAIT).payloadJson())
        .isEqualTo("{\"n\":3}");
  }

  @Test
  @DisplayName(
      "a signal reaches a member that resumed on a third node, although its old node was known")
  void followsResumeToAnotherNode() throws Exception {
    ClusterNode two = cluster.node(2);
    String boToken = two.token("bo");
    FlowSyncClient ana = cluster.client(1, "ana");
    FlowSyncClient bo = FlowSyncClient.connect(two.webSocketUri(), boToken);
    ana.join("moved").join();
    bo.join("moved").join();
    // Node 1 now knows that bo is on node 2.
    ana.signal("moved", bo.connectionId(), "offer", "{\"n\":1}").join();
    assertThat(bo.await(ClientEvent.Signal.class, s -> true, WAIT).payloadJson())
        .isEqualTo("{\"n\":1}");

    bo.abort();
    WsTestClient back =
        new WsTestClient(cluster.node(3).webSocketUri(), true, Duration.ofSeconds(10));
    back.send(
        "{\"type\":\"hello\",\"token\":\""
            + boToken
            + "\",\"resume\":\""
            + bo.welcome().resumeToken()
            + "\"}");
    JsonNode welcome = back.await("welcome");
    assertThat(welcome.path("resumed").asBoolean()).isTrue();
    assertThat(welcome.path("connectionId").asText()).isEqualTo(bo.connectionId());
    back.await("joined");

    ana.signal("moved", bo.connectionId(), "candidate", "{\"n\":2}").join();
    JsonNode signal = back.await("signal");
    assertThat(signal.path("from").asText()).isEqualTo(ana.connectionId());
    assertThat(signal.path("payload").path("n").asInt()).isEqualTo(2);
    back.close(); // drops the socket without a close frame
  }
}

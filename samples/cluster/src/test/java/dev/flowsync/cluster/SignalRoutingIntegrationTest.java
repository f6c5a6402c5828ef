package dev.flowsync.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowsync.signaling.client.ClientEvent;
import dev.flowsync.signaling.client.FlowSyncClient;
import dev.flowsync.signaling.client.FlowSyncClientException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
    Raw back = Raw.open(cluster.node(3).webSocketUri());
    back.send(
        "{\"type\":\"hello\",\"token\":\""
            + boToken
            + "\",\"resume\":\""
            + bo.welcome().resumeToken()
            + "\"}");
    JsonNode welcome = back.next("welcome");
    assertThat(welcome.path("resumed").asBoolean()).isTrue();
    assertThat(welcome.path("connectionId").asText()).isEqualTo(bo.connectionId());
    back.next("joined");

    ana.signal("moved", bo.connectionId(), "candidate", "{\"n\":2}").join();
    JsonNode signal = back.next("signal");
    assertThat(signal.path("from").asText()).isEqualTo(ana.connectionId());
    assertThat(signal.path("payload").path("n").asInt()).isEqualTo(2);
    back.ws.abort();
  }

  /** A bare JDK WebSocket, for a hello that FlowSyncClient does not send (resume elsewhere). */
  private static final class Raw implements WebSocket.Listener {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket ws;

    static Raw open(URI uri) throws Exception {
      Raw r = new Raw();
      r.ws =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(uri, r)
              .get(10, TimeUnit.SECONDS);
      return r;
    }

    void send(String text) {
      ws.sendText(text, true).join();
    }

    /** The next frame of {@code type}, skipping others (pings, presence events). */
    JsonNode next(String type) throws Exception {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        String f = frames.poll(1, TimeUnit.SECONDS);
        if (f != null) {
          JsonNode j = JSON.readTree(f);
          if (j.path("type").asText().equals(type)) {
            return j;
          }
        }
      }
      throw new AssertionError("no '" + type + "' frame within " + WAIT);
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        frames.add(partial.toString());
        partial.setLength(0);
      }
      w.request(1);
      return CompletableFuture.completedFuture(null);
    }
  }
}

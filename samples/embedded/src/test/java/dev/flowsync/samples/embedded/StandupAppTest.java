package dev.flowsync.samples.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** How an application team would test their app: start it, connect real clients, check. */
@DisplayName("The standup app, tested with real WebSocket clients")
class StandupAppTest {
  static final ObjectMapper JSON = new ObjectMapper();

  StandupApp app;

  @BeforeEach
  void start() {
    app = StandupApp.start(0, 2);
  }

  @AfterEach
  void stop() {
    app.close();
  }

  /** A team member's browser, reduced to a WebSocket that remembers what it received. */
  static final class Member implements WebSocket.Listener, AutoCloseable {
    final BlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    final StringBuilder partial = new StringBuilder();
    final WebSocket ws;
    final String connectionId;

    Member(URI uri, String token) throws Exception {
      ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, this).join();
      send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
      connectionId = next("welcome").get("connectionId").asText();
    }

    void send(String frame) {
      ws.sendText(frame, true).join();
    }

    JsonNode next(String type) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (true) {
        JsonNode f = inbox.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        assertThat(f).as("a '" + type + "' frame within 5 s").isNotNull();
        if (f.get("type").asText().equals(type)) {
          return f;
        }
      }
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          inbox.add(JSON.readTree(partial.toString()));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        partial.setLength(0);
      }
      socket.request(1);
      return null;
    }

    @Override
    public void close() {
      ws.abort();
    }
  }

  @Test
  @DisplayName("two team members meet in the standup and the app records their attendance")
  void attendance() throws Exception {
    try (Member ana = new Member(app.webSocketUri(), app.tokenFor("ana", "Ana"));
        Member bo = new Member(app.webSocketUri(), app.tokenFor("bo", "Bo"))) {
      ana.send("{\"type\":\"join\",\"room\":\"standup\"}");
      ana.next("joined");
      bo.send("{\"type\":\"join\",\"room\":\"standup\"}");
      JsonNode joined = bo.next("joined");
      assertThat(joined.get("members")).hasSize(2);
      assertThat(ana.next("member.joined").at("/member/name").asText()).isEqualTo("Bo");

      ana.send(
          "{\"type\":\"signal\",\"room\":\"standup\",\"to\":\""
              + bo.connectionId
              + "\",\"kind\":\"offer\",\"payload\":{\"sdp\":\"v=0\"}}");
      assertThat(bo.next("signal").get("from").asText()).isEqualTo(ana.connectionId);

      await().atMost(Duration.ofSeconds(5)).until(() -> app.attendance().size() == 2);
      assertThat(app.attendance()).containsExactly("Ana", "Bo");
    }
  }

  @Test
  @DisplayName("the room holds the team size the app chose; a third member is turned away")
  void roomFull() throws Exception {
    try (Member a = new Member(app.webSocketUri(), app.tokenFor("a", "A"));
        Member b = new Member(app.webSocketUri(), app.tokenFor("b", "B"));
        Member c = new Member(app.webSocketUri(), app.tokenFor("c", "C"))) {
      a.send("{\"type\":\"join\",\"room\":\"standup\"}");
      a.next("joined");
      b.send("{\"type\":\"join\",\"room\":\"standup\"}");
      b.next("joined");
      c.send("{\"type\":\"join\",\"rid\":\"9\",\"room\":\"standup\"}");
      JsonNode error = c.next("error");
      assertThat(error.get("code").asText()).isEqualTo("room_full");
      assertThat(error.get("rid").asText()).isEqualTo("9");
    }
  }

  @Test
  @DisplayName("only the app's room exists: joining another one is not_found")
  void noOtherRooms() throws Exception {
    try (Member a = new Member(app.webSocketUri(), app.tokenFor("a", "A"))) {
      a.send("{\"type\":\"join\",\"room\":\"elsewhere\"}");
      assertThat(a.next("error").get("code").asText()).isEqualTo("not_found");
    }
  }
}

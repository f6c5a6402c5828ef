package dev.flowsync.samples.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.signaling.client.ClientEvent;
import dev.flowsync.signaling.client.FlowSyncClient;
import dev.flowsync.signaling.client.FlowSyncClientException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** How an application team would test their app: start it, connect real clients, check. */
@DisplayName("The standup app, tested with the Java client over real WebSockets")
class StandupAppTest {
  StandupApp app;

  @BeforeEach
  void start() {
    app = StandupApp.start(0, 2);
  }

  @AfterEach
  void stop() {
    app.close();
  }

  FlowSyncClient connect(String userId, String name) {
    return FlowSyncClient.connect(app.webSocketUri(), app.tokenFor(userId, name));
  }

  @Test
  @DisplayName("two team members meet, signal and chat; the app records their attendance")
  void attendance() throws Exception {
    try (FlowSyncClient ana = connect("ana", "Ana");
        FlowSyncClient bo = connect("bo", "Bo")) {
      ana.join(StandupApp.ROOM).get(5, TimeUnit.SECONDS);
      FlowSyncClient.Joined joined = bo.join(StandupApp.ROOM).get(5, TimeUnit.SECONDS);
      assertThat(joined.members()).hasSize(2);
      assertThat(ana.await(ClientEvent.MemberJoined.class).member().name()).isEqualTo("Bo");

      ana.signal(StandupApp.ROOM, bo.connectionId(), "offer", "{\"sdp\":\"v=0\"}")
          .get(5, TimeUnit.SECONDS);
      ClientEvent.Signal offer = bo.await(ClientEvent.Signal.class);
      assertThat(offer.from()).isEqualTo(ana.connectionId());
      assertThat(offer.kind()).isEqualTo("offer");

      ChatMessage sent =
          ana.sendChat(StandupApp.ROOM, "Yesterday: shipped it").get(5, TimeUnit.SECONDS);
      assertThat(sent.seq()).isEqualTo(1);
      assertThat(bo.await(ClientEvent.Chat.class).message().text())
          .isEqualTo("Yesterday: shipped it");

      await().atMost(Duration.ofSeconds(5)).until(() -> app.attendance().size() == 2);
      assertThat(app.attendance()).containsExactly("Ana", "Bo");
    }
  }

  @Test
  @DisplayName("the room holds the team size the app chose; a third member is turned away")
  void roomFull() throws Exception {
    try (FlowSyncClient a = connect("a", "A");
        FlowSyncClient b = connect("b", "B");
        FlowSyncClient c = connect("c", "C")) {
      a.join(StandupApp.ROOM).get(5, TimeUnit.SECONDS);
      b.join(StandupApp.ROOM).get(5, TimeUnit.SECONDS);
      assertThatThrownBy(() -> c.join(StandupApp.ROOM).get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(FlowSyncClientException.class)
          .satisfies(e -> assertThat(((FlowSyncClientException) e).code()).isEqualTo("room_full"));
    }
  }

  @Test
  @DisplayName("only the app's room exists: joining another one is not_found")
  void noOtherRooms() {
    try (FlowSyncClient a = connect("a", "A")) {
      assertThatThrownBy(() -> a.join("elsewhere").get(5, TimeUnit.SECONDS))
          .cause()
          .satisfies(e -> assertThat(((FlowSyncClientException) e).code()).isEqualTo("not_found"));
    }
  }

  @Test
  @DisplayName("closing the app says bye to connected members")
  void bye() throws Exception {
    FlowSyncClient a = connect("a", "A");
    a.join(StandupApp.ROOM).get(5, TimeUnit.SECONDS);
    app.close();
    assertThat(a.await(ClientEvent.Bye.class).reason()).isEqualTo("shutdown");
    assertThat(a.closed().get(5, TimeUnit.SECONDS)).isEqualTo(1001);
    app = StandupApp.start(0, 2); // for @AfterEach
  }
}

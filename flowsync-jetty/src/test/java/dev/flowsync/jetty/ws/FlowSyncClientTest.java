package dev.flowsync.jetty.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.core.chat.HistoryPage;
import dev.flowsync.core.timer.Phase;
import dev.flowsync.core.timer.TimerState;
import dev.flowsync.core.timer.TimerStatus;
import dev.flowsync.signaling.client.ClientEvent;
import dev.flowsync.signaling.client.FlowSyncClient;
import dev.flowsync.signaling.client.FlowSyncClientException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("FlowSyncClient: the Java client against the real server")
class FlowSyncClientTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private TestServer s;

  @BeforeEach
  void start() {
    s = TestServer.start();
  }

  @AfterEach
  void stop() {
    s.close();
  }

  @Test
  @DisplayName("connect, join, typed events, request/reply by rid")
  void roundTrip() {
    FlowSyncClient ana = s.client("ana");
    FlowSyncClient bo = s.client("bo");
    assertThat(ana.welcome().userId()).isEqualTo("ana");
    FlowSyncClient.Joined j = ana.join("room", "Ana", "{\"mic\":true}").join();
    assertThat(j.self().name()).isEqualTo("Ana");
    assertThat(j.self().stateJson()).isEqualTo("{\"mic\":true}");
    assertThat(j.timer().status()).isEqualTo(TimerStatus.IDLE);
    bo.join("room").join();
    ClientEvent.MemberJoined mj = ana.await(ClientEvent.MemberJoined.class);
    assertThat(mj.member().userId()).isEqualTo("bo");

    bo.signal("room", ana.connectionId(), "offer", "{\"sdp\":\"v=0\"}").join();
    ClientEvent.Signal sig = ana.await(ClientEvent.Signal.class);
    assertThat(sig.from()).isEqualTo(bo.connectionId());
    assertThat(sig.payloadJson()).isEqualTo("{\"sdp\":\"v=0\"}");
    ana.signalNoReply("room", bo.connectionId(), "answer", "{\"sdp\":\"ok\"}");
    assertThat(bo.await(ClientEvent.Signal.class).kind()).isEqualTo("answer");

    ChatMessage stored = ana.sendChat("room", "hello", "k1").join();
    assertThat(stored.seq()).isEqualTo(1);
    assertThat(bo.await(ClientEvent.Chat.class).message()).isEqualTo(stored);
    assertThat(ana.sendChat("room", "hello", "k1").join()).isEqualTo(stored);
    HistoryPage page = bo.history("room", null, 0L, 10).join();
    assertThat(page.messages()).containsExactly(stored);

    TimerState t = ana.startTimer("room", List.of(new Phase("focus", 60_000)), false).join();
    assertThat(t.status()).isEqualTo(TimerStatus.RUNNING);
    assertThat(bo.await(ClientEvent.Timer.class).timer()).isEqualTo(t);
    assertThat(bo.timerCommand("timer.pause", "room").join().status())
        .isEqualTo(TimerStatus.PAUSED);

    bo.setState("room", "{\"away\":true}").join();
    assertThat(ana.await(ClientEvent.MemberUpdated.class).member().stateJson())
        .isEqualTo("{\"away\":true}");
    bo.leave("room").join();
    assertThat(ana.await(ClientEvent.MemberLeft.class).reason()).isEqualTo("left");
    assertThat(ana.ping().join().type()).isEqualTo("pong");
  }

  @Test
  @DisplayName("an error reply fails the request's future with the protocol code")
  void errors() {
    FlowSyncClient ana = s.client("ana");
    assertThatThrownBy(() -> ana.leave("nowhere").join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(FlowSyncClientException.class)
        .extracting(e -> ((FlowSyncClientException) e).code())
        .isEqualTo("forbidden");
    assertThatThrownBy(() -> FlowSyncClient.connect(s.uri(), "bad-token"))
        .isInstanceOf(FlowSyncClientException.class)
        .extracting(e -> ((FlowSyncClientException) e).code())
        .isEqualTo("unauthorized");
  }

  @Test
  @DisplayName("syncClock measures the offset to the server's clock")
  void clock() {
    FlowSyncClient ana = s.client("ana");
    long offset = ana.syncClock().join();
    assertThat(Math.abs(offset)).isLessThan(1000); // same machine, same clock
    assertThat(Math.abs(ana.serverNow() - System.currentTimeMillis())).isLessThan(1000);
  }

  @Test
  @DisplayName(
      "reconnect resumes the session: same connection id, a Joined event with the missed messages")
  void reconnectResumes() {
    FlowSyncClient ana = s.client("ana");
    FlowSyncClient bo = s.client("bo");
    ana.join("room").join();
    bo.join("room").join();
    ana.sendChat("room", "seen").join();
    String id = ana.connectionId();
    ana.abort();
    bo.sendChat("room", "missed").join();
    FlowSyncClient.Welcome w = ana.reconnect();
    assertThat(w.resumed()).isTrue();
    assertThat(w.connectionId()).isEqualTo(id);
    ClientEvent.Joined joined =
        ana.await(ClientEvent.Joined.class, e -> e.room().equals("room"), WAIT);
    assertThat(joined.history()).extracting(ChatMessage::text).containsExactly("missed");
    assertThat(joined.lastSeq()).isEqualTo(2);
    bo.signal("room", id, "offer", "{}").join();
    assertThat(ana.await(ClientEvent.Signal.class).from()).isEqualTo(bo.connectionId());
  }

  @Test
  @DisplayName("kicked, room.closed and close codes arrive as events")
  void serverSideEvents() {
    lastToken = s.token("ana");
    FlowSyncClient ana = FlowSyncClient.connect(s.uri(), lastToken);
    ana.join("k").join();
    ana.join("d").join();
    s.flowSync.presence().kick("k", "ana", null, "no");
    assertThat(ana.await(ClientEvent.Kicked.class).reason()).isEqualTo("no");
    s.flowSync.rooms().delete("d");
    assertThat(ana.await(ClientEvent.RoomClosed.class).room()).isEqualTo("d");
    s.flowSync.tokens().revoke(lastToken);
    assertThat(ana.await(ClientEvent.Closed.class, c -> true, WAIT).code()).isEqualTo(4401);
    assertThat(ana.await(ClientEvent.Error.class).code()).isEqualTo("unauthorized");
    ana.close();
  }

  @Test
  @DisplayName("autoReconnect resumes by itself after the connection drops")
  void autoReconnect() {
    FlowSyncClient ana =
        FlowSyncClient.builder(s.uri(), s.token("ana"))
            .autoReconnect(Duration.ofMillis(50))
            .connect();
    FlowSyncClient bo = s.client("bo");
    ana.join("room").join();
    bo.join("room").join();
    String id = ana.connectionId();
    ana.abort(); // the network drops
    ClientEvent.Reconnected r = ana.await(ClientEvent.Reconnected.class, e -> true, WAIT);
    assertThat(r.resumed()).isTrue();
    assertThat(r.connectionId()).isEqualTo(id);
    bo.signal("room", id, "offer", "{}").join();
    assertThat(ana.await(ClientEvent.Signal.class).from()).isEqualTo(bo.connectionId());
    ana.close();
  }

  private String lastToken;
}

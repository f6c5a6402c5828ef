package dev.flowsync.jetty.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowsync.core.FlowSync;
import dev.flowsync.core.chat.AppendResult;
import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.core.chat.MessageStore;
import dev.flowsync.core.chat.NewMessage;
import dev.flowsync.core.store.memory.InMemoryStores;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("§1.4 persisted chat over a real WebSocket")
class ChatTest {
  private TestServer s;
  private FailingMessages messages;
  private WsClient ana;
  private WsClient bo;

  /** The real in-memory store, with a switch that makes it fail like a database that is down. */
  static final class FailingMessages implements MessageStore {
    final MessageStore real = InMemoryStores.create().messages();
    volatile boolean down;

    /** When set, async appends wait in {@link #held} until {@link #release} stores them. */
    volatile boolean hold;

    final List<Runnable> held = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<AppendResult> appendAsync(NewMessage message) {
      if (!hold) {
        return MessageStore.super.appendAsync(message);
      }
      CompletableFuture<AppendResult> later = new CompletableFuture<>();
      held.add(() -> later.complete(real.append(message)));
      return later;
    }

    void release() {
      held.forEach(Runnable::run);
      held.clear();
    }

    @Override
    public AppendResult append(NewMessage message) {
      if (down) {
        throw new IllegalStateException("connection refused");
      }
      return real.append(message);
    }

    @Override
    public List<ChatMessage> before(String room, long beforeSeq, int limit) {
      return real.before(room, beforeSeq, limit);
    }

    @Override
    public List<ChatMessage> after(String room, long afterSeq, int limit) {
      return real.after(room, afterSeq, limit);
    }

    @Override
    public long lastSeq(String room) {
      return real.lastSeq(room);
    }

    @Override
    public int deleteRoom(String room) {
      return real.deleteRoom(room);
    }

    @Override
    public int deleteSentBefore(Instant cutoff) {
      return real.deleteSentBefore(cutoff);
    }
  }

  @BeforeEach
  void start() throws Exception {
    messages = new FailingMessages();
    FlowSync fs =
        FlowSync.builder()
            .stores(InMemoryStores.create().withMessages(messages))
            .resumeGrace(Duration.ofSeconds(1))
            .build();
    s = TestServer.start(fs, gw -> {}, 64 * 1024);
    ana = s.rawHello("ana");
    ana.send("{\"type\":\"join\",\"room\":\"chat\",\"name\":\"Ana\"}");
    ana.await("joined");
    bo = s.rawHello("bo");
    bo.send("{\"type\":\"join\",\"room\":\"chat\"}");
    bo.await("joined");
  }

  @AfterEach
  void stop() {
    s.close();
  }

  private String send(String rid, String text, String clientMsgId) {
    return "{\"type\":\"chat.send\",\"rid\":\""
        + rid
        + "\",\"room\":\"chat\",\"text\":\""
        + text
        + "\""
        + (clientMsgId == null ? "" : ",\"clientMsgId\":\"" + clientMsgId + "\"")
        + "}";
  }

  @Test
  @DisplayName("chat.send is acked with the stored message and reaches everyone, the sender too")
  void sendAndReceive() throws Exception {
    ana.send(send("6", "hi", "3f1c"));
    JsonNode echo = ana.await("chat.message");
    JsonNode ack = ana.await("chat.ack");
    assertThat(ack.get("rid").asText()).isEqualTo("6");
    JsonNode m = ack.get("message");
    assertThat(m.get("seq").asLong()).isEqualTo(1);
    assertThat(m.get("room").asText()).isEqualTo("chat");
    assertThat(m.get("userId").asText()).isEqualTo("ana");
    assertThat(m.get("name").asText()).isEqualTo("Ana");
    assertThat(m.get("text").asText()).isEqualTo("hi");
    assertThat(m.get("clientMsgId").asText()).isEqualTo("3f1c");
    assertThat(m.get("id").asText()).isNotBlank();
    assertThat(m.get("sentAt").asLong()).isPositive();
    assertThat(messages.real.lastSeq("chat")).isEqualTo(1); // stored before the ack
    assertThat(echo.get("message")).isEqualTo(m);
    JsonNode other = bo.await("chat.message");
    assertThat(other.get("room").asText()).isEqualTo("chat");
    assertThat(other.get("message")).isEqualTo(m);
  }

  @Test
  @DisplayName(
      "with one gateway worker, two senders' messages are in the store at once; each ack and"
          + " broadcast waits for its store")
  void sendsDoNotHoldWorkers() throws Exception {
    s.close();
    messages = new FailingMessages();
    FlowSync fs =
        FlowSync.builder()
            .stores(InMemoryStores.create().withMessages(messages))
            .resumeGrace(Duration.ofSeconds(1))
            .build();
    s = TestServer.start(fs, gw -> gw.workerThreads(1), 64 * 1024);
    ana = s.rawHello("ana");
    ana.send("{\"type\":\"join\",\"room\":\"chat\",\"name\":\"Ana\"}");
    ana.await("joined");
    bo = s.rawHello("bo");
    bo.send("{\"type\":\"join\",\"room\":\"chat\"}");
    bo.await("joined");
    messages.hold = true;

    ana.send(send("a1", "from ana", null));
    bo.send(send("b1", "from bo", null));
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (messages.held.size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(messages.held).hasSize(2); // the one worker was not kept waiting by the first
    assertThat(ana.texts).noneMatch(t -> t.contains("chat."));
    assertThat(bo.texts).noneMatch(t -> t.contains("chat."));

    messages.release();
    assertThat(ana.await("chat.ack").get("rid").asText()).isEqualTo("a1");
    assertThat(bo.await("chat.ack").get("rid").asText()).isEqualTo("b1");
    assertThat(messages.real.lastSeq("chat")).isEqualTo(2);
  }

  @Test
  @DisplayName("a repeated clientMsgId is acked with the original message and stored once")
  void idempotent() throws Exception {
    ana.send(send("1", "once", "same"));
    JsonNode first = ana.await("chat.ack").get("message");
    ana.send(send("2", "once again", "same"));
    JsonNode second = ana.await("chat.ack");
    assertThat(second.get("rid").asText()).isEqualTo("2");
    assertThat(second.get("message")).isEqualTo(first);
    assertThat(messages.real.lastSeq("chat")).isEqualTo(1);
    bo.await("chat.message");
    bo.send("{\"type\":\"ping\",\"rid\":\"p\"}");
    bo.await("pong");
    assertThat(bo.drain()).noneMatch(f -> f.path("type").asText().equals("chat.message"));
  }

  @Test
  @DisplayName("a store that is down answers unavailable and no chat.ack; nothing is broadcast")
  void storeDown() throws Exception {
    messages.down = true;
    ana.send(send("u", "lost?", "x1"));
    JsonNode e = ana.await("error");
    assertThat(e.get("code").asText()).isEqualTo("unavailable");
    assertThat(e.get("rid").asText()).isEqualTo("u");
    messages.down = false;
    ana.send("{\"type\":\"ping\",\"rid\":\"p\"}");
    ana.await("pong");
    bo.send("{\"type\":\"ping\",\"rid\":\"p\"}");
    bo.await("pong");
    assertThat(ana.texts).noneMatch(t -> t.contains("chat.ack") || t.contains("chat.message"));
    assertThat(bo.texts).noneMatch(t -> t.contains("chat.message"));
  }

  @Test
  @DisplayName("chat.history pages before and after a seq, ascending, with hasMore")
  void history() throws Exception {
    for (int i = 1; i <= 7; i++) {
      ana.send(send("s" + i, "m" + i, "c" + i));
      ana.await("chat.ack");
    }
    ana.send(
        "{\"type\":\"chat.history\",\"rid\":\"7\",\"room\":\"chat\",\"beforeSeq\":6,\"limit\":3}");
    JsonNode before = ana.await("chat.history");
    assertThat(before.get("rid").asText()).isEqualTo("7");
    assertThat(before.get("room").asText()).isEqualTo("chat");
    assertThat(before.get("messages"))
        .extracting(m -> m.get("seq").asLong())
        .containsExactly(3L, 4L, 5L);
    assertThat(before.get("hasMore").asBoolean()).isTrue();
    ana.send(
        "{\"type\":\"chat.history\",\"rid\":\"8\",\"room\":\"chat\",\"afterSeq\":4,\"limit\":50}");
    JsonNode after = ana.await("chat.history");
    assertThat(after.get("messages"))
        .extracting(m -> m.get("seq").asLong())
        .containsExactly(5L, 6L, 7L);
    assertThat(after.get("hasMore").asBoolean()).isFalse();
    ana.send("{\"type\":\"chat.history\",\"rid\":\"9\",\"room\":\"chat\"}");
    assertThat(ana.await("chat.history").get("messages")).hasSize(7);

    WsClient late = s.rawHello("late");
    late.send("{\"type\":\"join\",\"room\":\"chat\"}");
    JsonNode joined = late.await("joined");
    assertThat(joined.get("lastSeq").asLong()).isEqualTo(7);
    assertThat(joined.get("history"))
        .extracting(m -> m.get("text").asText())
        .containsExactly("m1", "m2", "m3", "m4", "m5", "m6", "m7");
  }

  @Test
  @DisplayName("joined carries the last 50 messages only")
  void joinedHistoryLimit() throws Exception {
    for (int i = 1; i <= 55; i++) {
      ana.send(send("s" + i, "m" + i, null));
    }
    for (int i = 1; i <= 55; i++) {
      ana.await("chat.ack");
    }
    WsClient late = s.rawHello("late");
    late.send("{\"type\":\"join\",\"room\":\"chat\"}");
    JsonNode joined = late.await("joined");
    assertThat(joined.get("lastSeq").asLong()).isEqualTo(55);
    assertThat(joined.get("history")).hasSize(50);
    assertThat(joined.get("history").get(0).get("seq").asLong()).isEqualTo(6);
  }

  @Test
  @DisplayName("bad chat requests: empty or too long text, both cursors, limit over 200")
  void badRequests() throws Exception {
    ana.send("{\"type\":\"chat.send\",\"rid\":\"a\",\"room\":\"chat\",\"text\":\"\"}");
    assertThat(ana.await("error").get("code").asText()).isEqualTo("bad_request");
    ana.send(send("b", "x".repeat(4001), null));
    assertThat(ana.await("error").get("code").asText()).isEqualTo("too_large");
    ana.send(send("b2", "x".repeat(4000), null));
    assertThat(ana.await("chat.ack").at("/message/text").asText()).hasSize(4000);
    ana.send(
        "{\"type\":\"chat.history\",\"rid\":\"c\",\"room\":\"chat\",\"beforeSeq\":5,\"afterSeq\":1}");
    assertThat(ana.await("error").get("code").asText()).isEqualTo("bad_request");
    ana.send("{\"type\":\"chat.history\",\"rid\":\"d\",\"room\":\"chat\",\"limit\":201}");
    JsonNode e = ana.await("error");
    assertThat(e.get("code").asText()).isEqualTo("bad_request");
    assertThat(e.get("rid").asText()).isEqualTo("d");
    ana.send("{\"type\":\"chat.send\",\"rid\":\"e\",\"room\":\"chat\",\"text\":7}");
    assertThat(ana.await("error").get("code").asText()).isEqualTo("bad_request");
  }
}

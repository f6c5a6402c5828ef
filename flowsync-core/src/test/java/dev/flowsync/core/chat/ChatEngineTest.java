package dev.flowsync.core.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flowsync.core.ErrorCode;
import dev.flowsync.core.FlowSyncException;
import dev.flowsync.core.FlowSyncException.BadRequestException;
import dev.flowsync.core.FlowSyncException.TooLargeException;
import dev.flowsync.core.FlowSyncException.UnavailableException;
import dev.flowsync.core.event.ChatMessagePosted;
import dev.flowsync.core.store.memory.InMemoryMessageStore;
import dev.flowsync.core.store.memory.InMemoryStores;
import dev.flowsync.core.support.Harness;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("ChatEngine")
class ChatEngineTest {
  private final Harness h = Harness.create(b -> b.historyLimit(3));
  private final ChatEngine chat = h.flowSync.chat();

  @AfterEach
  void close() {
    h.close();
  }

  private void sendNumbered(int count) {
    for (int i = 1; i <= count; i++) {
      chat.send("r", "u1", "Ana", "message " + i, null);
    }
  }

  private static List<Long> seqs(HistoryPage page) {
    return page.messages().stream().map(ChatMessage::seq).toList();
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  @Nested
  @DisplayName("send")
  class Send {
    @Test
    @DisplayName("stores the message at seq 1, 2, ... with the server time, then announces it")
    void send() {
      AppendResult first = chat.send("r", "u1", "Ana", "hi", "k1");
      h.clock.advanceMillis(7);
      AppendResult second = chat.send("r", "u2", "Bo", "hello", null);

      ChatMessage m = first.message();
      assertThat(m.seq()).isEqualTo(1);
      assertThat(m.id()).startsWith("m_");
      assertThat(m).isEqualTo(new ChatMessage(m.id(), 1, "r", "u1", "Ana", "hi", Harness.T0, "k1"));
      assertThat(second.message().seq()).isEqualTo(2);
      assertThat(second.message().sentAt()).isEqualTo(Harness.T0.plusMillis(7));
      assertThat(h.events(ChatMessagePosted.class))
          .extracting(ChatMessagePosted::message)
          .containsExactly(m, second.message());
      assertThat(chat.lastSeq("r")).isEqualTo(2);
    }

    @Test
    @DisplayName("a repeated clientMsgId returns the stored message, stores and announces nothing")
    void idempotent() {
      AppendResult first = chat.send("r", "u1", "Ana", "hi", "k1");
      h.clearEvents();

      AppendResult again = chat.send("r", "u1", "Ana", "hi (retry)", "k1");

      assertThat(again.duplicate()).isTrue();
      assertThat(again.message()).isEqualTo(first.message());
      assertThat(chat.lastSeq("r")).isEqualTo(1);
      assertThat(h.events()).isEmpty();
    }

    @Test
    @DisplayName("text of 1 and of 4000 characters is accepted; characters are code points")
    void textBounds() {
      assertThat(chat.send("r", "u1", "Ana", "x", null).message().text()).isEqualTo("x");
      String emoji = "😀".repeat(4000); // 8000 UTF-16 chars, 4000 characters
      assertThat(chat.send("r", "u1", "Ana", emoji, null).message().text()).isEqualTo(emoji);
      assertThat(chat.send("r", "u1", "Ana", "a".repeat(4000), null).message().seq()).isEqualTo(3);
    }

    @Test
    @DisplayName("empty text answers bad_request, 4001 characters too_large; nothing is stored")
    void textInvalid() {
      assertThatThrownBy(() -> chat.send("r", "u1", "Ana", "", null))
          .isInstanceOf(BadRequestException.class);
      assertThatThrownBy(() -> chat.send("r", "u1", "Ana", null, null))
          .isInstanceOf(BadRequestException.class);
      assertThatThrownBy(() -> chat.send("r", "u1", "Ana", "😀".repeat(4001), null))
          .isInstanceOf(TooLargeException.class)
          .hasMessageContaining("4001");
      assertThatThrownBy(() -> chat.send("r", "u1", "Ana", "a".repeat(4001), null))
          .isInstanceOf(TooLargeException.class);
      assertThat(chat.lastSeq("r")).isZero();
      assertThat(h.events()).isEmpty();
    }

    @Test
    @DisplayName("a clientMsgId of 0 or over 64 characters answers bad_request")
    void clientMsgId() {
      assertThatThrownBy(() -> chat.send("r", "u1", "Ana", "hi", ""))
          .isInstanceOf(BadRequestException.class);
      assertThatThrownBy(() -> chat.send("r", "u1", "Ana", "hi", "k".repeat(65)))
          .isInstanceOf(BadRequestException.class);
      assertThat(chat.send("r", "u1", "Ana", "hi", "k".repeat(64)).duplicate()).isFalse();
    }

    @Test
    @DisplayName("a store that fails answers unavailable, and nothing is announced")
    void storeDown() {
      MessageStore down =
          new DelegatingMessageStore(new InMemoryMessageStore()) {
            @Override
            public AppendResult append(NewMessage message) {
              throw new IllegalStateException("connection refused");
            }
          };
      try (Harness hd = Harness.create(InMemoryStores.create().withMessages(down), b -> b)) {
        assertThatThrownBy(() -> hd.flowSync.chat().send("r", "u1", "Ana", "hi", "k1"))
            .isInstanceOf(UnavailableException.class)
            .extracting(e -> ((FlowSyncException) e).code())
            .isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(hd.events()).isEmpty();
      }
    }

    @Test
    @DisplayName("concurrent sends to one room are announced in seq order")
    void announcedInSeqOrder() throws Exception {
      // The first append is held after the store gave it seq 1; a second send must not announce
      // seq 2 before seq 1 is announced.
      CountDownLatch firstStored = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      MessageStore holding =
          new DelegatingMessageStore(new InMemoryMessageStore()) {
            @Override
            public AppendResult append(NewMessage message) {
              AppendResult r = super.append(message);
              if (message.text().equals("first")) {
                firstStored.countDown();
                try {
                  release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              return r;
            }
          };
      try (Harness hh = Harness.create(InMemoryStores.create().withMessages(holding), b -> b)) {
        CompletableFuture<AppendResult> first =
            CompletableFuture.supplyAsync(
                () -> hh.flowSync.chat().send("r", "u1", "Ana", "first", null));
        assertThat(firstStored.await(10, TimeUnit.SECONDS)).isTrue();
        Thread second = new Thread(() -> hh.flowSync.chat().send("r", "u2", "Bo", "second", null));
        second.start();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> !second.isAlive() || second.getState() == Thread.State.WAITING);
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        second.join(10_000);

        assertThat(hh.events(ChatMessagePosted.class))
            .extracting(e -> e.message().seq())
            .containsExactly(1L, 2L);
      }
    }
  }

  @Nested
  @DisplayName("history")
  class History {
    @Test
    @DisplayName("before without a seq returns the newest messages and says whether older exist")
    void newest() {
      sendNumbered(10);

      HistoryPage page = chat.before("r", null, 3);

      assertThat(seqs(page)).containsExactly(8L, 9L, 10L);
      assertThat(page.hasMore()).isTrue();
    }

    @Test
    @DisplayName("before a seq pages back; hasMore is false exactly when the first message is in")
    void pageBack() {
      sendNumbered(10);

      assertThat(chat.before("r", 5L, 3).hasMore()).isTrue(); // 2, 3, 4 - 1 is older
      HistoryPage exact = chat.before("r", 4L, 3);
      assertThat(seqs(exact)).containsExactly(1L, 2L, 3L);
      assertThat(exact.hasMore()).isFalse();
      HistoryPage shortPage = chat.before("r", 3L, 5);
      assertThat(seqs(shortPage)).containsExactly(1L, 2L);
      assertThat(shortPage.hasMore()).isFalse();
    }

    @Test
    @DisplayName("after a seq pages forward; hasMore is false exactly when the newest is in")
    void pageForward() {
      sendNumbered(10);

      HistoryPage page = chat.after("r", 0, 9);
      assertThat(seqs(page)).isEqualTo(range(1, 9));
      assertThat(page.hasMore()).isTrue();
      HistoryPage exact = chat.after("r", 7, 3);
      assertThat(seqs(exact)).containsExactly(8L, 9L, 10L);
      assertThat(exact.hasMore()).isFalse();
      assertThat(chat.after("r", 10, 5).messages()).isEmpty();
    }

    @Test
    @DisplayName("a fresh room has no history and lastSeq 0")
    void fresh() {
      assertThat(chat.before("r", null, 50)).isEqualTo(new HistoryPage(List.of(), false));
      assertThat(chat.lastSeq("r")).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 201})
    @DisplayName("a limit outside 1..200 answers bad_request")
    void limits(int limit) {
      assertThatThrownBy(() -> chat.before("r", null, limit))
          .isInstanceOf(BadRequestException.class);
      assertThatThrownBy(() -> chat.after("r", 0, limit)).isInstanceOf(BadRequestException.class);
    }

    @Test
    @DisplayName("a limit of 200 returns 200 with an exact hasMore")
    void limit200() {
      sendNumbered(201);

      HistoryPage page = chat.before("r", null, 200);
      assertThat(seqs(page)).isEqualTo(range(2, 201));
      assertThat(page.hasMore()).isTrue();
      assertThat(chat.after("r", 1, 200).hasMore()).isFalse();
    }

    @Test
    @DisplayName("recent is the configured number of newest messages, for joined")
    void recent() {
      sendNumbered(5);

      assertThat(chat.recent("r")).extracting(ChatMessage::seq).containsExactly(3L, 4L, 5L);
    }

    @Test
    @DisplayName(
        "missedSince returns what a resuming client missed, or the newest if it missed many")
    void missed() {
      sendNumbered(5);

      assertThat(chat.missedSince("r", 3)).extracting(ChatMessage::seq).containsExactly(4L, 5L);
      assertThat(chat.missedSince("r", 0)).extracting(ChatMessage::seq).containsExactly(3L, 4L, 5L);
      assertThat(chat.missedSince("r", 5)).isEmpty();
    }
  }

  /** Passes every call to a real store; tests override one method to fail or pause it. */
  static class DelegatingMessageStore implements MessageStore {
    private final MessageStore delegate;

    DelegatingMessageStore(MessageStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public AppendResult append(NewMessage message) {
      return delegate.append(message);
    }

    @Override
    public List<ChatMessage> before(String room, long beforeSeq, int limit) {
      return delegate.before(room, beforeSeq, limit);
    }

    @Override
    public List<ChatMessage> after(String room, long afterSeq, int limit) {
      return delegate.after(room, afterSeq, limit);
    }

    @Override
    public long lastSeq(String room) {
      return delegate.lastSeq(room);
    }

    @Override
    public int deleteRoom(String room) {
      return delegate.deleteRoom(room);
    }

    @Override
    public int deleteSentBefore(Instant cutoff) {
      return delegate.deleteSentBefore(cutoff);
    }
  }
}

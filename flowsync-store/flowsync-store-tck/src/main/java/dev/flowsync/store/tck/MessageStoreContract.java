package dev.flowsync.store.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowsync.core.chat.AppendResult;
import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.core.chat.MessageStore;
import dev.flowsync.core.chat.NewMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The contract of {@link MessageStore}. */
@DisplayName("MessageStore")
public abstract class MessageStoreContract extends StoreContract {
  private final AtomicInteger ids = new AtomicInteger();

  /** Skips these contracts for a backend without a message store. */
  @BeforeEach
  protected final void requireMessageStore() {
    requireCapability(StoreCapability.MESSAGES);
  }

  private MessageStore messages() {
    return stores().messages();
  }

  private NewMessage message(String room, String userId, String text, String clientMsgId) {
    return new NewMessage(
        "m-" + ids.incrementAndGet(),
        room,
        userId,
        "Name " + userId,
        text,
        clock.instant(),
        clientMsgId);
  }

  private ChatMessage send(String room, String text) {
    return messages().append(message(room, "u1", text, null)).message();
  }

  private void sendNumbered(String room, int count) {
    for (int i = 1; i <= count; i++) {
      send(room, "message " + i);
    }
  }

  private static List<Long> seqs(List<ChatMessage> messages) {
    return messages.stream().map(ChatMessage::seq).toList();
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  /** Storing messages with a gapless seq. */
  @Nested
  @DisplayName("appending")
  class Appending {
    @Test
    @DisplayName("the first message of a room gets seq 1 and is stored field for field")
    void first() {
      NewMessage m = message("r", "u42", "hi ✋ 👋🏽", "client-1");

      AppendResult result = messages().append(m);

      assertThat(result.duplicate()).isFalse();
      assertThat(result.message()).isEqualTo(m.withSeq(1));
      assertThat(messages().after("r", 0, 10)).containsExactly(m.withSeq(1));
    }

    @Test
    @DisplayName("seq increases by exactly 1 per message, per room")
    void gapless() {
      sendNumbered("a", 3);
      sendNumbered("b", 2);
      send("a", "four");

      assertThat(seqs(messages().after("a", 0, 100))).containsExactly(1L, 2L, 3L, 4L);
      assertThat(seqs(messages().after("b", 0, 100))).containsExactly(1L, 2L);
    }

    @Test
    @DisplayName("lastSeq is 0 for a room without messages, else the highest seq")
    void lastSeq() {
      assertThat(messages().lastSeq("r")).isZero();
      sendNumbered("r", 3);

      assertThat(messages().lastSeq("r")).isEqualTo(3);
    }

    @Test
    @DisplayName("a repeated (user, clientMsgId) returns the first message and stores nothing")
    void idempotent() {
      AppendResult first = messages().append(message("r", "u1", "hello", "k1"));
      clock.advanceMillis(100);

      AppendResult again = messages().append(message("r", "u1", "hello again", "k1"));

      assertThat(again.duplicate()).isTrue();
      assertThat(again.message()).isEqualTo(first.message());
      assertThat(messages().lastSeq("r")).isEqualTo(1);
      assertThat(messages().after("r", 0, 10)).containsExactly(first.message());
    }

    @Test
    @DisplayName("the same clientMsgId from another user or in another room is a new message")
    void keyIsUserAndRoom() {
      messages().append(message("r", "u1", "a", "k1"));

      assertThat(messages().append(message("r", "u2", "b", "k1")).duplicate()).isFalse();
      assertThat(messages().append(message("other", "u1", "c", "k1")).duplicate()).isFalse();
      assertThat(messages().lastSeq("r")).isEqualTo(2);
    }

    @Test
    @DisplayName("messages without a clientMsgId are never taken for duplicates")
    void noKey() {
      messages().append(message("r", "u1", "same", null));

      AppendResult second = messages().append(message("r", "u1", "same", null));

      assertThat(second.duplicate()).isFalse();
      assertThat(second.message().seq()).isEqualTo(2);
    }

    @Test
    @DisplayName("a text of 4000 characters outside the BMP is stored unchanged")
    void longText() {
      String text = "🎉".repeat(4000);

      ChatMessage stored = send("r", text);

      assertThat(messages().after("r", 0, 1).get(0).text()).isEqualTo(text);
      assertThat(stored.text()).isEqualTo(text);
    }
  }

  /** Paging through history. */
  @Nested
  @DisplayName("reading history")
  class History {
    @Test
    @DisplayName("before returns the newest messages below beforeSeq, in ascending seq")
    void before() {
      sendNumbered("r", 10);

      assertThat(seqs(messages().before("r", 8, 3))).containsExactly(5L, 6L, 7L);
    }

    @Test
    @DisplayName("before with a beforeSeq past the end returns the newest messages")
    void beforeEnd() {
      sendNumbered("r", 10);

      assertThat(seqs(messages().before("r", Long.MAX_VALUE, 3))).containsExactly(8L, 9L, 10L);
      assertThat(seqs(messages().before("r", 11, 2))).containsExactly(9L, 10L);
    }

    @Test
    @DisplayName("before returns fewer than the limit at the start of the history, none below 1")
    void beforeStart() {
      sendNumbered("r", 10);

      assertThat(seqs(messages().before("r", 3, 5))).containsExactly(1L, 2L);
      assertThat(messages().before("r", 1, 5)).isEmpty();
    }

    @Test
    @DisplayName("after returns the oldest messages above afterSeq, in ascending seq")
    void after() {
      sendNumbered("r", 10);

      assertThat(seqs(messages().after("r", 3, 4))).containsExactly(4L, 5L, 6L, 7L);
      assertThat(seqs(messages().after("r", 0, 2))).containsExactly(1L, 2L);
    }

    @Test
    @DisplayName("after returns fewer than the limit at the end, none above lastSeq")
    void afterEnd() {
      sendNumbered("r", 10);

      assertThat(seqs(messages().after("r", 8, 5))).containsExactly(9L, 10L);
      assertThat(messages().after("r", 10, 5)).isEmpty();
    }

    @Test
    @DisplayName("a room without messages has no history either way")
    void emptyRoom() {
      sendNumbered("other", 3);

      assertThat(messages().before("r", Long.MAX_VALUE, 10)).isEmpty();
      assertThat(messages().after("r", 0, 10)).isEmpty();
    }

    @Test
    @DisplayName("history never mixes rooms")
    void roomsSeparate() {
      sendNumbered("a", 3);
      sendNumbered("b", 3);

      assertThat(messages().after("a", 0, 10)).allSatisfy(m -> assertThat(m.room()).isEqualTo("a"));
      assertThat(messages().before("b", 99, 10))
          .allSatisfy(m -> assertThat(m.room()).isEqualTo("b"));
    }

    @Test
    @DisplayName("a limit of 201 is served: the engine asks for one more than it returns")
    void limitPlusOne() {
      sendNumbered("r", 205);

      assertThat(messages().before("r", Long.MAX_VALUE, 201)).hasSize(201);
      assertThat(seqs(messages().after("r", 0, 201))).isEqualTo(range(1, 201));
    }
  }

  /** Deleting a room's history. */
  @Nested
  @DisplayName("deleting a room")
  class DeletingRoom {
    @Test
    @DisplayName("deleteRoom removes the room's messages, returns how many, and resets its seq")
    void deleteRoom() {
      sendNumbered("r", 4);
      sendNumbered("other", 2);

      assertThat(messages().deleteRoom("r")).isEqualTo(4);

      assertThat(messages().after("r", 0, 10)).isEmpty();
      assertThat(messages().lastSeq("r")).isZero();
      assertThat(send("r", "fresh").seq()).isEqualTo(1);
      assertThat(messages().lastSeq("other")).isEqualTo(2);
    }

    @Test
    @DisplayName("a deleted room's clientMsgIds are forgotten with it")
    void keysForgotten() {
      messages().append(message("r", "u1", "a", "k1"));
      messages().deleteRoom("r");

      assertThat(messages().append(message("r", "u1", "b", "k1")).duplicate()).isFalse();
    }

    @Test
    @DisplayName("deleting a room without messages returns 0")
    void deleteEmpty() {
      assertThat(messages().deleteRoom("never")).isZero();
    }
  }

  /** Deleting old messages. */
  @Nested
  @DisplayName("retention")
  class Retention {
    @BeforeEach
    void requireRetention() {
      requireCapability(StoreCapability.RETENTION);
    }

    @Test
    @DisplayName("deleteSentBefore deletes messages sent strictly before the cutoff, in every room")
    void cutoff() {
      sendNumbered("a", 2);
      sendNumbered("b", 1);
      Instant cutoff = clock.advance(Duration.ofHours(1));
      sendNumbered("a", 1); // sent exactly at the cutoff: kept
      clock.advanceMillis(1);
      sendNumbered("b", 1);

      assertThat(messages().deleteSentBefore(cutoff)).isEqualTo(3);

      assertThat(seqs(messages().after("a", 0, 10))).containsExactly(3L);
      assertThat(seqs(messages().after("b", 0, 10))).containsExactly(2L);
    }

    @Test
    @DisplayName("seq never goes back: after retention the next message continues the sequence")
    void seqContinues() {
      sendNumbered("r", 5);
      clock.advance(Duration.ofDays(1));

      messages().deleteSentBefore(clock.instant());

      assertThat(messages().lastSeq("r")).isEqualTo(5);
      assertThat(send("r", "after retention").seq()).isEqualTo(6);
    }

    @Test
    @DisplayName("history skips deleted messages and still honours the limit")
    void historyAfterRetention() {
      sendNumbered("r", 3);
      Instant cutoff = clock.advance(Duration.ofMinutes(1));
      sendNumbered("r", 3);
      messages().deleteSentBefore(cutoff);

      assertThat(seqs(messages().before("r", Long.MAX_VALUE, 10))).containsExactly(4L, 5L, 6L);
      assertThat(seqs(messages().after("r", 0, 2))).containsExactly(4L, 5L);
      assertThat(messages().before("r", 4, 10)).isEmpty();
    }

    @Test
    @DisplayName("nothing sent before the cutoff: nothing deleted")
    void nothingOld() {
      sendNumbered("r", 2);

      assertThat(messages().deleteSentBefore(clock.instant().minusSeconds(1))).isZero();
      assertThat(messages().lastSeq("r")).isEqualTo(2);
    }
  }

  /** Several writers at once. */
  @Nested
  @DisplayName("under concurrency")
  class Concurrency {
    @Test
    @DisplayName("4 writers x 50 messages: seq is exactly 1..200, each writer's in its order")
    void fourWriters() throws Exception {
      StoreFixture second = stores().secondInstance();

      List<List<Long>> perWriter =
          Race.run(
              4,
              w -> {
                MessageStore store = (w % 2 == 0 ? stores() : second).messages();
                List<Long> mine = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                  mine.add(
                      store.append(message("r", "writer-" + w, "m" + i, null)).message().seq());
                }
                return mine;
              });

      List<Long> all = new ArrayList<>();
      perWriter.forEach(all::addAll);
      assertThat(all).containsExactlyInAnyOrderElementsOf(range(1, 200));
      perWriter.forEach(mine -> assertThat(mine).isSorted());
      assertThat(seqs(messages().after("r", 0, 200))).isEqualTo(range(1, 200));
      assertThat(messages().lastSeq("r")).isEqualTo(200);
    }

    @Test
    @DisplayName(
        "appendAsync: a room's appends complete in seq order, each stored when it completes,"
            + " rooms apart")
    void asyncInSeqOrder() {
      List<String> completed = java.util.Collections.synchronizedList(new ArrayList<>());
      List<java.util.concurrent.CompletableFuture<?>> all = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        String room = i % 3 == 0 ? "b" : "a";
        all.add(
            messages()
                .appendAsync(message(room, "u1", "m" + i, "k" + i))
                .thenAccept(
                    r -> {
                      // durable when completed: a read now already finds it
                      assertThat(messages().lastSeq(room))
                          .isGreaterThanOrEqualTo(r.message().seq());
                      completed.add(room + r.message().seq());
                    }));
      }
      java.util.concurrent.CompletableFuture.allOf(
              all.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
          .orTimeout(30, java.util.concurrent.TimeUnit.SECONDS)
          .join();

      assertThat(completed.stream().filter(c -> c.startsWith("a")).toList())
          .isEqualTo(range(1, 40).stream().map(n -> "a" + n).toList());
      assertThat(completed.stream().filter(c -> c.startsWith("b")).toList())
          .isEqualTo(range(1, 20).stream().map(n -> "b" + n).toList());
      assertThat(seqs(messages().after("a", 0, 100))).isEqualTo(range(1, 40));
      assertThat(messages().appendAsync(message("a", "u1", "again", "k1")).join().duplicate())
          .isTrue();
    }

    @Test
    @DisplayName("16 concurrent sends of one clientMsgId store one message and all get it back")
    void concurrentDuplicates() throws Exception {
      StoreFixture second = stores().secondInstance();

      List<AppendResult> results =
          Race.run(
              16,
              i ->
                  (i % 2 == 0 ? stores() : second)
                      .messages()
                      .append(message("r", "u1", "attempt " + i, "same-key")));

      assertThat(results).filteredOn(r -> !r.duplicate()).hasSize(1);
      ChatMessage stored =
          results.stream().filter(r -> !r.duplicate()).findFirst().orElseThrow().message();
      assertThat(results).allSatisfy(r -> assertThat(r.message()).isEqualTo(stored));
      assertThat(messages().after("r", 0, 100)).containsExactly(stored);
      assertThat(stored.seq()).isEqualTo(1);
    }
  }
}

package dev.flowsync.store.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.flowsync.core.Page;
import dev.flowsync.core.auth.AccessToken;
import dev.flowsync.core.chat.AppendResult;
import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.core.chat.NewMessage;
import dev.flowsync.core.presence.LeaveReason;
import dev.flowsync.core.room.Room;
import dev.flowsync.core.room.TimerControl;
import dev.flowsync.core.session.MemberSession;
import dev.flowsync.core.store.StoreHealth;
import dev.flowsync.core.store.Stores;
import dev.flowsync.core.store.memory.InMemoryStores;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The behaviour of the SQL stores, run unchanged on PostgreSQL and on an H2 file database. Each
 * test gets a fresh, migrated database; "another node" is a second {@link SqlStores} over a second
 * connection pool to the same database.
 */
abstract class SqlStoresContract {
  static final Instant T0 = Instant.parse("2026-11-21T10:00:00.123456Z");

  private final List<AutoCloseable> toClose = new ArrayList<>();
  SqlStores stores;

  /** A fresh, empty database for one test; called once per test, before {@link #newPool()}. */
  abstract void createDatabase();

  /** A new connection pool to this test's database. */
  abstract HikariDataSource newPool();

  @BeforeEach
  void migrateAndOpen() {
    createDatabase();
    HikariDataSource pool = pool();
    assertThat(SqlSchema.migrate(pool)).isEqualTo(1);
    stores = node(pool);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  /** Closes this when the test ends, after everything opened later. */
  void onClose(AutoCloseable c) {
    toClose.add(c);
  }

  HikariDataSource pool() {
    HikariDataSource pool = newPool();
    toClose.add(pool);
    return pool;
  }

  SqlStores node(HikariDataSource pool) {
    SqlStores s = SqlStores.builder(pool).build();
    toClose.add(s);
    return s;
  }

  static Room room(String id) {
    return new Room(id, "Room " + id, 8, false, TimerControl.OWNER, "u1", "{\"a\":1}", T0);
  }

  static NewMessage msg(String room, String user, String text, String clientMsgId) {
    return new NewMessage(
        "m_" + java.util.UUID.randomUUID(), room, user, "Name " + user, text, T0, clientMsgId);
  }

  static <T> List<T> runConcurrently(int threads, List<Callable<T>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> task : tasks) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return task.call();
                }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("migrating an up-to-date schema again applies nothing")
  void migrateIsIdempotent() {
    assertThat(SqlSchema.migrate(pool())).isZero();
  }

  @Test
  @DisplayName("the dialect is detected from the database")
  void detectsDialect() {
    assertThat(stores.dialect().family())
        .isIn(org.jooq.SQLDialect.POSTGRES, org.jooq.SQLDialect.H2);
  }

  // ---- rooms

  @Test
  @DisplayName("a created room is found with every field as stored")
  void roomRoundTrip() {
    Room r = room("r1");
    assertThat(stores.rooms().create(r)).isTrue();
    assertThat(stores.rooms().find("r1")).contains(r);
    assertThat(stores.rooms().find("nope")).isEmpty();
  }

  @Test
  @DisplayName("creating an existing room id returns false and keeps the first room")
  void roomCreateIsExclusive() {
    stores.rooms().create(room("r1"));
    Room other = new Room("r1", "Other", 0, true, TimerControl.ANYONE, null, "{}", T0);
    assertThat(stores.rooms().create(other)).isFalse();
    assertThat(stores.rooms().find("r1").orElseThrow().name()).isEqualTo("Room r1");
  }

  @Test
  @DisplayName("16 concurrent creates of one id on two nodes: exactly one succeeds")
  void concurrentCreateOnTwoNodes() throws Exception {
    SqlStores other = node(pool());
    List<Callable<Boolean>> tasks = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      SqlStores node = i % 2 == 0 ? stores : other;
      tasks.add(() -> node.rooms().create(room("contested")));
    }
    List<Boolean> results = runConcurrently(16, tasks);
    assertThat(results.stream().filter(b -> b).count()).isEqualTo(1);
  }

  @Test
  @DisplayName("rooms list in id order, page by page, with a cursor until the last page")
  void roomPages() {
    for (String id : List.of("c", "a", "e", "b", "d")) {
      stores.rooms().create(room(id));
    }
    Page<Room> p1 = stores.rooms().list(2, null);
    assertThat(p1.items()).extracting(Room::id).containsExactly("a", "b");
    Page<Room> p2 = stores.rooms().list(2, p1.nextCursor());
    assertThat(p2.items()).extracting(Room::id).containsExactly("c", "d");
    Page<Room> p3 = stores.rooms().list(2, p2.nextCursor());
    assertThat(p3.items()).extracting(Room::id).containsExactly("e");
    assertThat(p3.hasNext()).isFalse();
    assertThat(stores.rooms().list(5, null).hasNext()).isFalse();
  }

  @Test
  @DisplayName("room ids are ordered as String.compareTo orders them, whatever the collation")
  void roomIdOrder() {
    List<String> ids = new ArrayList<>(List.of("r10", "r9", "r1", "R2", "r_1", "r-1", "Ä", "z"));
    ids.forEach(id -> stores.rooms().create(room(id)));
    java.util.Collections.sort(ids);
    List<String> listed = new ArrayList<>();
    String cursor = null;
    do {
      Page<Room> page = stores.rooms().list(3, cursor);
      page.items().forEach(r -> listed.add(r.id()));
      cursor = page.nextCursor();
    } while (cursor != null);
    assertThat(listed).isEqualTo(ids);
  }

  @Test
  @DisplayName("deleting a room returns true once, then false")
  void roomDelete() {
    stores.rooms().create(room("r1"));
    assertThat(stores.rooms().delete("r1")).isTrue();
    assertThat(stores.rooms().delete("r1")).isFalse();
    assertThat(stores.rooms().find("r1")).isEmpty();
  }

  // ---- messages

  @Test
  @DisplayName("appends get seq 1, 2, 3 per room and are read back as stored")
  void appendAssignsSeq() {
    AppendResult a = stores.messages().append(msg("r1", "u1", "one", null));
    AppendResult b = stores.messages().append(msg("r1", "u2", "two", "c2"));
    AppendResult other = stores.messages().append(msg("r2", "u1", "elsewhere", null));
    assertThat(a.message().seq()).isEqualTo(1);
    assertThat(b.message().seq()).isEqualTo(2);
    assertThat(other.message().seq()).isEqualTo(1);
    assertThat(a.duplicate()).isFalse();
    assertThat(stores.messages().after("r1", 0, 10)).containsExactly(a.message(), b.message());
    assertThat(stores.messages().lastSeq("r1")).isEqualTo(2);
    assertThat(stores.messages().lastSeq("empty")).isZero();
  }

  @Test
  @DisplayName(
      "before() gives the newest messages below a seq, after() the oldest above, ascending")
  void historySlices() {
    for (int i = 1; i <= 10; i++) {
      stores.messages().append(msg("r1", "u1", "m" + i, null));
    }
    assertThat(stores.messages().before("r1", Long.MAX_VALUE, 3))
        .extracting(ChatMessage::seq)
        .containsExactly(8L, 9L, 10L);
    assertThat(stores.messages().before("r1", 5, 10))
        .extracting(ChatMessage::seq)
        .containsExactly(1L, 2L, 3L, 4L);
    assertThat(stores.messages().after("r1", 7, 2))
        .extracting(ChatMessage::seq)
        .containsExactly(8L, 9L);
    assertThat(stores.messages().after("r1", 10, 5)).isEmpty();
  }

  @Test
  @DisplayName(
      "a repeated clientMsgId of the same user returns the stored message; another user's is new")
  void idempotentAppend() {
    AppendResult first = stores.messages().append(msg("r1", "u1", "hello", "k1"));
    AppendResult again = stores.messages().append(msg("r1", "u1", "hello (resent)", "k1"));
    AppendResult otherUser = stores.messages().append(msg("r1", "u2", "hello", "k1"));
    assertThat(again.duplicate()).isTrue();
    assertThat(again.message()).isEqualTo(first.message());
    assertThat(otherUser.duplicate()).isFalse();
    assertThat(otherUser.message().seq()).isEqualTo(2);
    assertThat(stores.messages().lastSeq("r1")).isEqualTo(2);
  }

  @Test
  @DisplayName(
      "a resend queued among new messages gets the original back; the new ones get the next seqs")
  void resendAmongNewMessages() {
    ChatMessage original = stores.messages().append(msg("r1", "u1", "hello", "k1")).message();
    // Queued back to back, so they share group-commit batches with the resend.
    List<CompletableFuture<AppendResult>> sends = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      sends.add(
          stores
              .messages()
              .appendAsync(
                  i == 20
                      ? msg("r1", "u1", "hello (resent)", "k1")
                      : msg("r1", "u2", "m" + i, "n" + i)));
    }
    List<AppendResult> results = sends.stream().map(CompletableFuture::join).toList();
    assertThat(results.get(20).duplicate()).isTrue();
    assertThat(results.get(20).message()).isEqualTo(original);
    assertThat(results.stream().filter(r -> !r.duplicate()).map(r -> r.message().seq()))
        .containsExactlyElementsOf(LongStream.rangeClosed(2, 40).boxed().toList());
    assertThat(stores.messages().after("r1", 0, 100)).hasSize(40);
  }

  @Test
  @DisplayName("text of 4000 characters outside the BMP is stored intact")
  void longText() {
    String text = "\uD83D\uDE00".repeat(4000);
    AppendResult r = stores.messages().append(msg("r1", "u1", text, null));
    assertThat(stores.messages().after("r1", 0, 1).get(0).text()).isEqualTo(text);
    assertThat(r.message().text()).isEqualTo(text);
  }

  @Test
  @DisplayName(
      "two nodes with separate pools, 4 writers each x 50 messages in one room: seq is exactly 1..400")
  void seqIsAtomicAcrossNodes() throws Exception {
    SqlStores other = node(pool());
    List<Callable<List<Long>>> tasks = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      SqlStores node = w % 2 == 0 ? stores : other;
      String user = "u" + w;
      tasks.add(
          () -> {
            List<Long> seqs = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
              seqs.add(node.messages().append(msg("busy", user, "m" + i, null)).message().seq());
            }
            return seqs;
          });
    }
    List<Long> acknowledged =
        runConcurrently(8, tasks).stream().flatMap(List::stream).sorted().toList();
    List<Long> expected = LongStream.rangeClosed(1, 400).boxed().toList();
    assertThat(acknowledged).isEqualTo(expected);
    List<Long> stored = new ArrayList<>();
    long after = 0;
    List<ChatMessage> page;
    while (!(page = other.messages().after("busy", after, 200)).isEmpty()) {
      page.forEach(m -> stored.add(m.seq()));
      after = page.get(page.size() - 1).seq();
    }
    assertThat(stored).isEqualTo(expected);
    assertThat(stores.messages().lastSeq("busy")).isEqualTo(400);
  }

  @Test
  @DisplayName("the same clientMsgId sent 16 times at once through two nodes is stored once")
  void idempotentUnderConcurrency() throws Exception {
    SqlStores other = node(pool());
    stores.messages().append(msg("r1", "u0", "before", null));
    List<Callable<AppendResult>> tasks = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      SqlStores node = i % 2 == 0 ? stores : other;
      tasks.add(() -> node.messages().append(msg("r1", "u1", "hi", "same-key")));
    }
    List<AppendResult> results = runConcurrently(16, tasks);
    assertThat(results.stream().filter(r -> !r.duplicate()).count()).isEqualTo(1);
    assertThat(results)
        .extracting(r -> r.message().id())
        .containsOnly(results.get(0).message().id());
    assertThat(results).extracting(r -> r.message().seq()).containsOnly(2L);
    assertThat(stores.messages().after("r1", 0, 10)).hasSize(2);
    assertThat(stores.messages().lastSeq("r1")).isEqualTo(2);
  }

  @Test
  @DisplayName("32 writers across 16 rooms on two nodes: every room's seq is 1..N")
  void manyRoomsAtOnce() throws Exception {
    SqlStores other = node(pool());
    List<Callable<Integer>> tasks = new ArrayList<>();
    for (int w = 0; w < 32; w++) {
      SqlStores node = w % 2 == 0 ? stores : other;
      String room = "room-" + (w % 16);
      tasks.add(
          () -> {
            for (int i = 0; i < 20; i++) {
              node.messages().append(msg(room, "u", "m", null));
            }
            return 20;
          });
    }
    runConcurrently(32, tasks);
    for (int r = 0; r < 16; r++) {
      assertThat(stores.messages().after("room-" + r, 0, 100))
          .extracting(ChatMessage::seq)
          .isEqualTo(LongStream.rangeClosed(1, 40).boxed().toList());
    }
  }

  @Test
  @DisplayName("the first messages of new rooms, sent through two nodes at once, all succeed")
  void newRoomsRaceOnTwoNodes() throws Exception {
    SqlStores other = node(pool());
    for (int round = 0; round < 10; round++) {
      String room = "fresh-" + round;
      List<Callable<Long>> tasks = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        SqlStores node = i % 2 == 0 ? stores : other;
        tasks.add(() -> node.messages().append(msg(room, "u", "first", null)).message().seq());
      }
      assertThat(runConcurrently(12, tasks))
          .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 12).boxed().toList());
    }
  }

  @Test
  @DisplayName("deleting a room's chat removes its messages and starts its seq again at 1")
  void deleteRoomChat() {
    stores.messages().append(msg("r1", "u1", "a", "k"));
    stores.messages().append(msg("r1", "u1", "b", null));
    stores.messages().append(msg("r2", "u1", "c", null));
    assertThat(stores.messages().deleteRoom("r1")).isEqualTo(2);
    assertThat(stores.messages().lastSeq("r1")).isZero();
    assertThat(stores.messages().append(msg("r1", "u1", "a again", "k")).message().seq())
        .isEqualTo(1);
    assertThat(stores.messages().lastSeq("r2")).isEqualTo(1);
  }

  @Test
  @DisplayName("retention deletes messages sent before the cutoff; seq keeps counting")
  void messageRetention() {
    for (int i = 0; i < 5; i++) {
      stores
          .messages()
          .append(
              new NewMessage("m" + i, "r1", "u1", "U", "t" + i, T0.plusSeconds(i * 60L), "k" + i));
    }
    assertThat(stores.messages().deleteSentBefore(T0.plusSeconds(150))).isEqualTo(3);
    assertThat(stores.messages().after("r1", 0, 10))
        .extracting(ChatMessage::seq)
        .containsExactly(4L, 5L);
    assertThat(stores.messages().lastSeq("r1")).isEqualTo(5);
    assertThat(stores.messages().append(msg("r1", "u1", "new", null)).message().seq()).isEqualTo(6);
  }

  // ---- sessions

  @Test
  @DisplayName("a closed stay has its end, reason and duration; closing again finds nothing")
  void sessionOpenClose() {
    stores.sessions().open(new MemberSession("r1", "c1", "u1", T0, null, null));
    MemberSession closed =
        stores.sessions().close("r1", "c1", T0.plusSeconds(90), LeaveReason.TIMEOUT).orElseThrow();
    assertThat(closed.leftAt()).isEqualTo(T0.plusSeconds(90));
    assertThat(closed.reason()).isEqualTo(LeaveReason.TIMEOUT);
    assertThat(closed.durationMs()).isEqualTo(90_000);
    assertThat(stores.sessions().close("r1", "c1", T0.plusSeconds(99), LeaveReason.LEFT)).isEmpty();
    assertThat(stores.sessions().close("r1", "nobody", T0, LeaveReason.LEFT)).isEmpty();
  }

  @Test
  @DisplayName("stays list newest first, page by page")
  void sessionPages() {
    for (int i = 0; i < 5; i++) {
      stores
          .sessions()
          .open(new MemberSession("r1", "c" + i, "u" + i, T0.plusSeconds(i), null, null));
    }
    stores.sessions().open(new MemberSession("r2", "x", "u", T0, null, null));
    Page<MemberSession> p1 = stores.sessions().list("r1", 2, null);
    assertThat(p1.items()).extracting(MemberSession::connectionId).containsExactly("c4", "c3");
    Page<MemberSession> p2 = stores.sessions().list("r1", 2, p1.nextCursor());
    assertThat(p2.items()).extracting(MemberSession::connectionId).containsExactly("c2", "c1");
    Page<MemberSession> p3 = stores.sessions().list("r1", 2, p2.nextCursor());
    assertThat(p3.items()).extracting(MemberSession::connectionId).containsExactly("c0");
    assertThat(p3.nextCursor()).isNull();
  }

  @Test
  @DisplayName("stays list by join time, not by the order they were recorded in")
  void sessionsByJoinTime() {
    stores.sessions().open(new MemberSession("r", "c2", "u", T0.plusSeconds(2), null, null));
    stores.sessions().open(new MemberSession("r", "c3", "u", T0.plusSeconds(3), null, null));
    stores.sessions().open(new MemberSession("r", "c1", "u", T0.plusSeconds(1), null, null));
    assertThat(stores.sessions().list("r", 10, null).items())
        .extracting(MemberSession::connectionId)
        .containsExactly("c3", "c2", "c1");
  }

  @Test
  @DisplayName(
      "stays at one instant page exactly once each; stays opened between pages shift nothing")
  void sessionCursorIsAPosition() {
    for (int i = 0; i < 5; i++) {
      stores.sessions().open(new MemberSession("r", "same" + i, "u", T0, null, null));
    }
    Page<MemberSession> p1 = stores.sessions().list("r", 2, null);
    stores.sessions().open(new MemberSession("r", "late", "u", T0.plusSeconds(5), null, null));
    List<String> seen = new ArrayList<>();
    p1.items().forEach(s -> seen.add(s.connectionId()));
    String cursor = p1.nextCursor();
    while (cursor != null) {
      Page<MemberSession> p = stores.sessions().list("r", 2, cursor);
      p.items().forEach(s -> seen.add(s.connectionId()));
      cursor = p.nextCursor();
    }
    assertThat(seen).containsExactlyInAnyOrder("same0", "same1", "same2", "same3", "same4");
    assertThat(seen).doesNotHaveDuplicates();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> stores.sessions().list("r", 2, "not-a-cursor"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("retention deletes stays that ended before the cutoff and keeps open ones")
  void sessionRetention() {
    stores.sessions().open(new MemberSession("r1", "old", "u", T0, null, null));
    stores.sessions().open(new MemberSession("r1", "recent", "u", T0, null, null));
    stores.sessions().open(new MemberSession("r1", "open", "u", T0, null, null));
    stores.sessions().close("r1", "old", T0.plusSeconds(10), LeaveReason.LEFT);
    stores.sessions().close("r1", "recent", T0.plusSeconds(100), LeaveReason.LEFT);
    assertThat(stores.sessions().deleteEndedBefore(T0.plusSeconds(50))).isEqualTo(1);
    assertThat(stores.sessions().list("r1", 10, null).items())
        .extracting(MemberSession::connectionId)
        .containsExactly("open", "recent");
  }

  // ---- tokens

  @Test
  @DisplayName("a saved token is found with its grants; saving again replaces it; delete revokes")
  void tokens() {
    AccessToken t =
        new AccessToken("a".repeat(64), "u1", "Ana", Set.of("r1", "r2"), T0, T0.plusSeconds(3600));
    stores.tokens().save(t);
    assertThat(stores.tokens().find(t.tokenId())).contains(t);
    AccessToken wider =
        new AccessToken(t.tokenId(), "u1", "Ana B", Set.of("*"), T0, T0.plusSeconds(7200));
    stores.tokens().save(wider);
    assertThat(stores.tokens().find(t.tokenId())).contains(wider);
    assertThat(stores.tokens().delete(t.tokenId())).isTrue();
    assertThat(stores.tokens().delete(t.tokenId())).isFalse();
    assertThat(stores.tokens().find(t.tokenId())).isEmpty();
  }

  @Test
  @DisplayName("expired tokens are deleted, valid ones kept")
  void tokenExpiry() {
    stores.tokens().save(new AccessToken("e1", "u", "U", Set.of(), T0, T0.plusSeconds(10)));
    stores.tokens().save(new AccessToken("e2", "u", "U", Set.of("r"), T0, T0.plusSeconds(20)));
    stores.tokens().save(new AccessToken("v1", "u", "U", Set.of("*"), T0, T0.plusSeconds(30)));
    assertThat(stores.tokens().deleteExpired(T0.plusSeconds(20))).isEqualTo(2);
    assertThat(stores.tokens().find("v1")).isPresent();
    assertThat(stores.tokens().find("e2")).isEmpty();
  }

  // ---- bundle

  @Test
  @DisplayName("applyTo swaps in rooms, messages, sessions and tokens and keeps the rest")
  void applyTo() {
    Stores base = InMemoryStores.create();
    Stores swapped = stores.applyTo(base);
    assertThat(swapped.rooms()).isSameAs(stores.rooms());
    assertThat(swapped.messages()).isSameAs(stores.messages());
    assertThat(swapped.sessions()).isSameAs(stores.sessions());
    assertThat(swapped.tokens()).isSameAs(stores.tokens());
    assertThat(swapped.presence()).isSameAs(base.presence());
    assertThat(swapped.timers()).isSameAs(base.timers());
  }

  @Test
  @DisplayName(
      "purge applies the configured retention to messages and sessions and drops expired tokens")
  void purge() {
    SqlStores retaining =
        SqlStores.builder(pool()).retention(Duration.ofDays(30), Duration.ofDays(90)).build();
    toClose.add(retaining);
    Instant now = T0.plus(Duration.ofDays(100));
    retaining.messages().append(new NewMessage("old", "r", "u", "U", "t", T0, null));
    retaining.messages().append(new NewMessage("new", "r", "u", "U", "t", now, null));
    retaining.sessions().open(new MemberSession("r", "c1", "u", T0, null, null));
    retaining.sessions().close("r", "c1", T0.plusSeconds(1), LeaveReason.LEFT);
    retaining.sessions().open(new MemberSession("r", "c2", "u", T0, null, null));
    retaining.tokens().save(new AccessToken("t", "u", "U", Set.of(), T0, T0.plusSeconds(1)));
    assertThat(retaining.purge(now)).isEqualTo(new PurgeResult(1, 1, 1));
    assertThat(retaining.messages().after("r", 0, 10))
        .extracting(ChatMessage::id)
        .containsExactly("new");
    assertThat(retaining.purge(now)).isEqualTo(new PurgeResult(0, 0, 0));
  }

  @Test
  @DisplayName("a reachable database reports healthy, through the bundle and through each store")
  void healthy() {
    assertThat(stores.healthName()).isEqualTo("sql");
    assertThat(stores.isHealthy()).isTrue();
    Stores swapped = stores.applyTo(InMemoryStores.create());
    for (Object store :
        List.of(swapped.rooms(), swapped.messages(), swapped.sessions(), swapped.tokens())) {
      assertThat(store).isInstanceOf(StoreHealth.class);
      assertThat(((StoreHealth) store).isHealthy()).isTrue();
    }
  }

  @Test
  @DisplayName("group commit carries concurrent appends in shared transactions")
  void groupCommitBatches() throws Exception {
    AtomicInteger n = new AtomicInteger();
    List<Callable<Integer>> tasks = new ArrayList<>();
    for (int w = 0; w < 16; w++) {
      tasks.add(
          () -> {
            for (int i = 0; i < 25; i++) {
              stores.messages().append(msg("g" + n.incrementAndGet() % 8, "u", "m", null));
            }
            return 25;
          });
    }
    runConcurrently(16, tasks);
    assertThat(stores.messages().committedMessageCount()).isEqualTo(400);
    assertThat(stores.messages().commitCount()).isLessThan(400);
  }
}

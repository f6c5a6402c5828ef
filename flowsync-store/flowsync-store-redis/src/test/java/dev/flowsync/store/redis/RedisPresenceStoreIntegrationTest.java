package dev.flowsync.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowsync.core.presence.AdmitResult;
import dev.flowsync.core.presence.Member;
import dev.flowsync.core.presence.PresenceStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("RedisPresenceStore")
class RedisPresenceStoreIntegrationTest {
  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

  private RedisFixture fixture;
  private PresenceStore store;

  @BeforeEach
  void setUp() {
    fixture = new RedisFixture();
    store = fixture.newStores().presence();
  }

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  private static Member member(String room, String conn, String node, int secondsAfterT0) {
    return new Member(
        room, conn, "user-" + conn, "Name " + conn, "{}", T0.plusSeconds(secondsAfterT0), node);
  }

  @Nested
  @DisplayName("admission")
  class Admission {
    @Test
    @DisplayName("admits, then reports an existing member as already there")
    void admitsOnce() {
      Member a = member("r1", "c1", "n1", 0);
      assertThat(store.admit(a, 8)).isEqualTo(AdmitResult.ADMITTED);
      assertThat(store.admit(a, 8)).isEqualTo(AdmitResult.ALREADY_MEMBER);
      assertThat(store.count("r1")).isEqualTo(1);
      assertThat(store.find("r1", "c1")).contains(a);
    }

    @Test
    @DisplayName("refuses a member when the room is at capacity, and capacity 0 means no limit")
    void capacity() {
      assertThat(store.admit(member("r1", "c1", "n1", 0), 2)).isEqualTo(AdmitResult.ADMITTED);
      assertThat(store.admit(member("r1", "c2", "n1", 1), 2)).isEqualTo(AdmitResult.ADMITTED);
      assertThat(store.admit(member("r1", "c3", "n1", 2), 2)).isEqualTo(AdmitResult.FULL);
      assertThat(store.find("r1", "c3")).isEmpty();
      assertThat(store.roomsOf("c3")).isEmpty();
      for (int i = 0; i < 20; i++) {
        assertThat(store.admit(member("big", "c" + i, "n1", i), 0)).isEqualTo(AdmitResult.ADMITTED);
      }
      assertThat(store.count("big")).isEqualTo(20);
    }

    @Test
    @DisplayName("16 threads on two nodes with their own connections join capacity 8: exactly 8")
    void concurrentAdmissionIsExactAcrossNodes() throws Exception {
      PresenceStore other = fixture.newStores().presence();
      List<Callable<AdmitResult>> joins = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        PresenceStore via = i % 2 == 0 ? store : other;
        Member m = member("hot", "c" + i, i % 2 == 0 ? "n1" : "n2", i);
        joins.add(() -> via.admit(m, 8));
      }
      List<AdmitResult> results = runTogether(joins);
      assertThat(results).filteredOn(r -> r == AdmitResult.ADMITTED).hasSize(8);
      assertThat(results).filteredOn(r -> r == AdmitResult.FULL).hasSize(8);
      assertThat(store.count("hot")).isEqualTo(8);
      assertThat(other.members("hot")).hasSize(8);
    }
  }

  @Nested
  @DisplayName("reading and changing members")
  class Members {
    @Test
    @DisplayName("lists members oldest first, ties broken by connection id")
    void oldestFirst() {
      store.admit(member("r1", "c3", "n1", 5), 0);
      store.admit(member("r1", "c2", "n2", 1), 0);
      store.admit(member("r1", "c1", "n1", 5), 0);
      assertThat(store.members("r1"))
          .extracting(Member::connectionId)
          .containsExactly("c2", "c1", "c3");
      assertThat(store.members("nobody-here")).isEmpty();
      assertThat(store.count("nobody-here")).isZero();
    }

    @Test
    @DisplayName("updates a member's state and leaves everything else as it was")
    void updateState() {
      Member a = member("r1", "c1", "n1", 0);
      store.admit(a, 0);
      assertThat(store.updateState("r1", "c1", "{\"muted\":true}"))
          .contains(a.withState("{\"muted\":true}"));
      assertThat(store.find("r1", "c1")).contains(a.withState("{\"muted\":true}"));
      assertThat(store.updateState("r1", "nobody", "{}")).isEmpty();
      assertThat(store.updateState("no-room", "c1", "{}")).isEmpty();
    }

    @Test
    @DisplayName("removes a member from the room and from the connection's rooms")
    void remove() {
      Member a = member("r1", "c1", "n1", 0);
      store.admit(a, 0);
      store.admit(member("r2", "c1", "n1", 1), 0);
      assertThat(store.roomsOf("c1")).containsExactly("r1", "r2");
      assertThat(store.remove("r1", "c1")).contains(a);
      assertThat(store.remove("r1", "c1")).isEmpty();
      assertThat(store.find("r1", "c1")).isEmpty();
      assertThat(store.count("r1")).isZero();
      assertThat(store.roomsOf("c1")).containsExactly("r2");
      assertThat(store.removeNode("n1")).extracting(Member::room).containsExactly("r2");
    }

    @Test
    @DisplayName("removes a whole room and returns its members oldest first")
    void removeRoom() {
      store.admit(member("r1", "c2", "n2", 2), 0);
      store.admit(member("r1", "c1", "n1", 1), 0);
      store.admit(member("r2", "c1", "n1", 3), 0);
      assertThat(store.removeRoom("r1"))
          .extracting(Member::connectionId)
          .containsExactly("c1", "c2");
      assertThat(store.count("r1")).isZero();
      assertThat(store.roomsOf("c1")).containsExactly("r2");
      assertThat(store.roomsOf("c2")).isEmpty();
      assertThat(store.removeNode("n2")).isEmpty();
      assertThat(store.removeRoom("r1")).isEmpty();
    }

    @Test
    @DisplayName("moves every membership of a connection to the node it resumed on")
    void transferConnection() {
      store.admit(member("r1", "c1", "n1", 0), 0);
      store.admit(member("r2", "c1", "n1", 1), 0);
      store.admit(member("r2", "c2", "n1", 2), 0);
      List<Member> moved = store.transferConnection("c1", "n2");
      assertThat(moved).extracting(Member::nodeId).containsExactly("n2", "n2");
      assertThat(store.find("r2", "c1")).map(Member::nodeId).contains("n2");
      assertThat(store.removeNode("n1")).extracting(Member::connectionId).containsExactly("c2");
      assertThat(store.removeNode("n2"))
          .extracting(Member::room)
          .containsExactlyInAnyOrder("r1", "r2");
      assertThat(store.transferConnection("unknown", "n2")).isEmpty();
    }

    @Test
    @DisplayName("ids with newlines, backslashes and colons are kept apart")
    void oddIds() {
      Member a = member("room:a\nb", "c\\1", "node\n1", 0);
      Member b = member("room:a", "c\\1\nx", "node", 1);
      store.admit(a, 0);
      store.admit(b, 0);
      assertThat(store.members("room:a\nb")).containsExactly(a);
      assertThat(store.roomsOf("c\\1")).containsExactly("room:a\nb");
      assertThat(store.removeNode("node\n1")).containsExactly(a);
      assertThat(store.members("room:a")).containsExactly(b);
    }
  }

  @Nested
  @DisplayName("node leases")
  class Leases {
    @Test
    @DisplayName("a node is expired when its lease ended at or before now, not before")
    void expiry() {
      store.renewLease("n1", T0.plusSeconds(5));
      store.renewLease("n2", T0.plusSeconds(10));
      assertThat(store.expiredNodes(T0.plusMillis(4_999))).isEmpty();
      assertThat(store.expiredNodes(T0.plusSeconds(5))).containsExactly("n1");
      store.renewLease("n1", T0.plusSeconds(15));
      assertThat(store.expiredNodes(T0.plusSeconds(10))).containsExactly("n2");
      assertThat(store.expiredNodes(T0.plusSeconds(20))).containsExactlyInAnyOrder("n1", "n2");
    }

    @Test
    @DisplayName("removing a node removes its lease and its members, and only its members")
    void removeNode() {
      store.renewLease("n1", T0);
      store.renewLease("n2", T0);
      store.admit(member("r1", "c1", "n1", 0), 0);
      store.admit(member("r1", "c2", "n2", 1), 0);
      store.admit(member("r2", "c3", "n1", 2), 0);
      assertThat(store.removeNode("n1"))
          .extracting(Member::connectionId)
          .containsExactly("c1", "c3");
      assertThat(store.expiredNodes(T0.plusSeconds(1))).containsExactly("n2");
      assertThat(store.members("r1")).extracting(Member::connectionId).containsExactly("c2");
      assertThat(store.count("r2")).isZero();
      assertThat(store.roomsOf("c1")).isEmpty();
      assertThat(store.removeNode("n1")).isEmpty();
    }

    @Test
    @DisplayName("a node with more members than one cleanup batch is removed completely")
    void removeLargeNode() {
      for (int i = 0; i < 1_234; i++) {
        store.admit(member("r" + (i % 7), "c" + i, "big", i), 0);
      }
      store.renewLease("big", T0);
      assertThat(store.removeNode("big")).hasSize(1_234);
      assertThat(store.expiredNodes(T0)).isEmpty();
      assertThat(fixture.keys()).isEmpty();
    }

    @Test
    @DisplayName("two surviving nodes cleaning the same dead node report each member once")
    void concurrentRemoveNode() throws Exception {
      PresenceStore other = fixture.newStores().presence();
      for (int i = 0; i < 600; i++) {
        store.admit(member("r" + (i % 13), "c" + i, "dead", i), 0);
      }
      store.admit(member("r1", "alive", "n2", 0), 0);
      store.renewLease("dead", T0);
      List<List<Member>> reports =
          runTogether(List.of(() -> store.removeNode("dead"), () -> other.removeNode("dead")));
      List<String> all = new ArrayList<>();
      reports.forEach(r -> r.forEach(m -> all.add(m.connectionId())));
      assertThat(all).hasSize(600).doesNotHaveDuplicates();
      assertThat(store.members("r1")).extracting(Member::connectionId).containsExactly("alive");
      assertThat(store.expiredNodes(T0.plusSeconds(60))).isEmpty();
    }
  }

  @Test
  @DisplayName("leaves no keys behind once every member is gone")
  void noLeftovers() {
    store.admit(member("r1", "c1", "n1", 0), 0);
    store.admit(member("r2", "c1", "n1", 0), 0);
    store.remove("r1", "c1");
    store.removeRoom("r2");
    assertThat(fixture.keys()).isEmpty();
  }

  static <T> List<T> runTogether(List<Callable<T>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
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
      List<T> results = Collections.synchronizedList(new ArrayList<>());
      for (Future<T> f : futures) {
        results.add(f.get(30, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}

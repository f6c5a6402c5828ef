package dev.flowsync.core.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flowsync.core.FlowSyncException.BadRequestException;
import dev.flowsync.core.FlowSyncException.ForbiddenException;
import dev.flowsync.core.FlowSyncException.NotFoundException;
import dev.flowsync.core.FlowSyncException.RoomFullException;
import dev.flowsync.core.FlowSyncException.TooLargeException;
import dev.flowsync.core.Page;
import dev.flowsync.core.auth.AccessToken;
import dev.flowsync.core.event.MemberJoined;
import dev.flowsync.core.event.MemberLeft;
import dev.flowsync.core.event.MemberUpdated;
import dev.flowsync.core.event.RoomClosed;
import dev.flowsync.core.event.RoomCreated;
import dev.flowsync.core.room.Room;
import dev.flowsync.core.room.RoomSpec;
import dev.flowsync.core.room.RoomStore;
import dev.flowsync.core.session.MemberSession;
import dev.flowsync.core.session.SessionStore;
import dev.flowsync.core.store.memory.InMemoryRoomStore;
import dev.flowsync.core.store.memory.InMemoryStores;
import dev.flowsync.core.support.Harness;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("PresenceEngine")
class PresenceEngineTest {
  private final Harness h = Harness.create();
  private final PresenceEngine presence = h.flowSync.presence();

  @AfterEach
  void close() {
    h.close();
  }

  @Nested
  @DisplayName("join")
  class Join {
    @Test
    @DisplayName("joining an unknown room creates it, owned by the joiner, then admits the joiner")
    void autoCreate() {
      AccessToken t = h.token("u1");

      JoinResult r = presence.join(t, "c1", "standup", "Ana", "{\"mic\":true}");

      Member self =
          new Member("standup", "c1", "u1", "Ana", "{\"mic\":true}", Harness.T0, "node-a");
      assertThat(r.self()).isEqualTo(self);
      assertThat(r.members()).containsExactly(self);
      assertThat(r.alreadyMember()).isFalse();
      assertThat(r.room().ownerId()).isEqualTo("u1");
      assertThat(h.events()).hasSize(2);
      assertThat(h.events().get(0)).isInstanceOf(RoomCreated.class);
      assertThat(h.events().get(1)).isEqualTo(new MemberJoined(self, Harness.T0));
    }

    @Test
    @DisplayName("without a name the token's name is used; without state, an empty object")
    void defaults() {
      JoinResult r = presence.join(h.token("u1"), "c1", "r", null, null);

      assertThat(r.self().name()).isEqualTo("Name u1");
      assertThat(r.self().stateJson()).isEqualTo("{}");
    }

    @Test
    @DisplayName("members lists everyone, oldest first, and only the joiner is announced")
    void secondMember() {
      presence.join(h.token("u1"), "c1", "r", null, null);
      h.clock.advanceMillis(10);
      h.clearEvents();

      JoinResult r = presence.join(h.token("u2"), "c2", "r", null, null);

      assertThat(r.members()).extracting(Member::connectionId).containsExactly("c1", "c2");
      assertThat(h.events(MemberJoined.class))
          .extracting(e -> e.member().connectionId())
          .containsExactly("c2");
    }

    @Test
    @DisplayName("two connections of one user are two members")
    void twoTabs() {
      AccessToken t = h.token("u1");
      presence.join(t, "c1", "r", null, null);
      JoinResult r = presence.join(t, "c2", "r", null, null);

      assertThat(r.members()).extracting(Member::userId).containsExactly("u1", "u1");
    }

    @Test
    @DisplayName("joining again from the same connection changes nothing and announces nothing")
    void again() {
      AccessToken t = h.token("u1");
      JoinResult first = presence.join(t, "c1", "r", "Ana", "{\"a\":1}");
      h.clearEvents();

      JoinResult again = presence.join(t, "c1", "r", "Other", "{}");

      assertThat(again.alreadyMember()).isTrue();
      assertThat(again.self()).isEqualTo(first.self());
      assertThat(h.events()).isEmpty();
    }

    @Test
    @DisplayName("an unknown room with auto-create off answers not_found")
    void noAutoCreate() {
      try (Harness off = Harness.create(b -> b.autoCreateRooms(false))) {
        assertThatThrownBy(
                () -> off.flowSync.presence().join(off.token("u1"), "c1", "r", null, null))
            .isInstanceOf(NotFoundException.class)
            .hasMessageContaining("'r'");
        assertThat(off.flowSync.rooms().find("r")).isEmpty();
      }
    }

    @Test
    @DisplayName("a private room needs the room in the token's grants: else forbidden")
    void privateRoom() {
      h.flowSync.rooms().create(new RoomSpec("secret", null, null, true, null, null, null));

      assertThatThrownBy(
              () -> presence.join(h.token("u1", Set.of("other")), "c1", "secret", null, null))
          .isInstanceOf(ForbiddenException.class);
      assertThat(presence.join(h.token("u2", Set.of("secret")), "c2", "secret", null, null).self())
          .isNotNull();
      assertThat(presence.join(h.token("u3", Set.of("*")), "c3", "secret", null, null).self())
          .isNotNull();
      assertThat(presence.members("secret")).hasSize(2);
    }

    @Test
    @DisplayName("a full room answers room_full naming the capacity, and announces nothing")
    void full() {
      h.flowSync.rooms().create(new RoomSpec("r", null, 2, null, null, null, null));
      presence.join(h.token("u1"), "c1", "r", null, null);
      presence.join(h.token("u2"), "c2", "r", null, null);
      h.clearEvents();

      assertThatThrownBy(() -> presence.join(h.token("u3"), "c3", "r", null, null))
          .isInstanceOf(RoomFullException.class)
          .hasMessage("Room 'r' is full (capacity 2)");
      assertThat(h.events()).isEmpty();
      assertThat(presence.members("r")).hasSize(2);
    }

    @Test
    @DisplayName("state is limited to 2048 UTF-8 bytes: 2048 pass, 2049 answer too_large")
    void stateLimit() {
      String exact = "{\"s\":\"" + "é".repeat((2048 - 8) / 2) + "\"}";
      assertThat(exact.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(2048);
      String over = "{\"s\":\"" + "é".repeat((2048 - 8) / 2) + "x\"}";

      assertThat(presence.join(h.token("u1"), "c1", "r", null, exact).self().stateJson())
          .isEqualTo(exact);
      assertThatThrownBy(() -> presence.join(h.token("u2"), "c2", "r", null, over))
          .isInstanceOf(TooLargeException.class)
          .hasMessageContaining("2049");
    }

    @Test
    @DisplayName("a name over 100 characters or an invalid room id answers bad_request")
    void badRequest() {
      assertThatThrownBy(() -> presence.join(h.token("u1"), "c1", "r", "n".repeat(101), null))
          .isInstanceOf(BadRequestException.class);
      assertThatThrownBy(() -> presence.join(h.token("u1"), "c1", "bad room", null, null))
          .isInstanceOf(BadRequestException.class);
    }

    @Test
    @DisplayName("a join opens a session for analytics")
    void session() {
      presence.join(h.token("u1"), "c1", "r", null, null);

      assertThat(h.flowSync.rooms().sessions("r", 10, null).items())
          .containsExactly(new MemberSession("r", "c1", "u1", Harness.T0, null, null));
    }

    @Test
    @DisplayName("a failing session store does not fail the join or swallow its announcement")
    void sessionStoreDown() {
      SessionStore broken =
          new SessionStore() {
            @Override
            public void open(MemberSession session) {
              throw new IllegalStateException("analytics database down");
            }

            @Override
            public Optional<MemberSession> close(
                String room, String connectionId, Instant leftAt, LeaveReason reason) {
              throw new IllegalStateException("analytics database down");
            }

            @Override
            public Page<MemberSession> list(String room, int limit, String cursor) {
              throw new IllegalStateException("analytics database down");
            }

            @Override
            public int deleteEndedBefore(Instant cutoff) {
              return 0;
            }
          };
      try (Harness hb = Harness.create(InMemoryStores.create().withSessions(broken), b -> b)) {
        PresenceEngine p = hb.flowSync.presence();

        p.join(hb.token("u1"), "c1", "r", null, null);
        p.leave("c1", "r", LeaveReason.LEFT, null);

        assertThat(hb.events(MemberJoined.class)).hasSize(1);
        assertThat(hb.events(MemberLeft.class)).hasSize(1);
      }
    }
  }

  @Nested
  @DisplayName("state")
  class State {
    @Test
    @DisplayName("updateState replaces the state (no merge) and announces the member")
    void replace() {
      presence.join(h.token("u1"), "c1", "r", null, "{\"a\":1,\"b\":2}");
      h.clock.advanceMillis(5);

      Member m = presence.updateState("c1", "r", "{\"c\":3}");

      assertThat(m.stateJson()).isEqualTo("{\"c\":3}");
      assertThat(presence.find("r", "c1")).contains(m);
      assertThat(h.events(MemberUpdated.class))
          .containsExactly(new MemberUpdated(m, Harness.T0.plusMillis(5)));
    }

    @Test
    @DisplayName("updating a room the connection is not in answers forbidden")
    void notMember() {
      presence.join(h.token("u1"), "c1", "a", null, null);

      assertThatThrownBy(() -> presence.updateState("c1", "b", "{}"))
          .isInstanceOf(ForbiddenException.class)
          .hasMessageContaining("'b'");
      assertThat(h.events(MemberUpdated.class)).isEmpty();
    }

    @Test
    @DisplayName("a missing state answers bad_request, an oversized one too_large")
    void invalid() {
      presence.join(h.token("u1"), "c1", "r", null, null);

      assertThatThrownBy(() -> presence.updateState("c1", "r", null))
          .isInstanceOf(BadRequestException.class);
      assertThatThrownBy(() -> presence.updateState("c1", "r", "x".repeat(2049)))
          .isInstanceOf(TooLargeException.class);
    }
  }

  @Nested
  @DisplayName("leave and kick")
  class Leave {
    @Test
    @DisplayName("leave removes the member, ends its stay and announces the reason")
    void leave() {
      presence.join(h.token("u1"), "c1", "r", null, null);
      h.clock.advance(Duration.ofSeconds(42));

      Optional<Member> left = presence.leave("c1", "r", LeaveReason.LEFT, null);

      assertThat(left).isPresent();
      assertThat(presence.members("r")).isEmpty();
      assertThat(h.events(MemberLeft.class))
          .containsExactly(
              new MemberLeft(left.get(), LeaveReason.LEFT, null, Harness.T0.plusSeconds(42)));
      assertThat(h.flowSync.rooms().sessions("r", 10, null).items().get(0).durationMs())
          .isEqualTo(42_000);
    }

    @Test
    @DisplayName("leaving a room the connection is not in is empty and announces nothing")
    void leaveNotMember() {
      assertThat(presence.leave("c1", "r", LeaveReason.LEFT, null)).isEmpty();
      assertThat(h.events(MemberLeft.class)).isEmpty();
    }

    @Test
    @DisplayName("leaveAll removes the connection from every room with the given reason")
    void leaveAll() {
      AccessToken t = h.token("u1");
      for (String room : List.of("a", "b", "c")) {
        presence.join(t, "c1", room, null, null);
      }
      presence.join(t, "c2", "a", null, null);

      List<Member> left = presence.leaveAll("c1", LeaveReason.DISCONNECTED);

      assertThat(left).extracting(Member::room).containsExactlyInAnyOrder("a", "b", "c");
      assertThat(presence.roomsOf("c1")).isEmpty();
      assertThat(presence.roomsOf("c2")).containsExactly("a");
      assertThat(h.events(MemberLeft.class))
          .hasSize(3)
          .allSatisfy(e -> assertThat(e.reason()).isEqualTo(LeaveReason.DISCONNECTED));
    }

    @Test
    @DisplayName("kick by user removes every connection of that user, with the reason as detail")
    void kickUser() {
      presence.join(h.token("u1"), "c1", "r", null, null);
      presence.join(h.token("u1"), "c2", "r", null, null);
      presence.join(h.token("u2"), "c3", "r", null, null);

      List<Member> kicked = presence.kick("r", "u1", null, "spam");

      assertThat(kicked).extracting(Member::connectionId).containsExactlyInAnyOrder("c1", "c2");
      assertThat(presence.members("r")).extracting(Member::connectionId).containsExactly("c3");
      assertThat(h.events(MemberLeft.class))
          .extracting(MemberLeft::reason, MemberLeft::detail)
          .containsOnly(org.assertj.core.groups.Tuple.tuple(LeaveReason.KICKED, "spam"));
    }

    @Test
    @DisplayName("kick by connection removes only that connection")
    void kickConnection() {
      presence.join(h.token("u1"), "c1", "r", null, null);
      presence.join(h.token("u1"), "c2", "r", null, null);

      assertThat(presence.kick("r", null, "c2", null))
          .extracting(Member::connectionId)
          .containsExactly("c2");
      assertThat(presence.members("r")).extracting(Member::connectionId).containsExactly("c1");
    }

    @Test
    @DisplayName("kick without user or connection answers bad_request; an unknown room not_found")
    void kickInvalid() {
      assertThatThrownBy(() -> presence.kick("r", null, null, null))
          .isInstanceOf(BadRequestException.class);
      assertThatThrownBy(() -> presence.kick("nope", "u1", null, null))
          .isInstanceOf(NotFoundException.class);
    }
  }

  @Nested
  @DisplayName("nodes")
  class Nodes {
    /**
     * Node b, with member c-b (user u2) in room r, stops renewing its lease; once the lease has run
     * out, node a handles the dead node.
     */
    private void nodeBDies(Harness a) {
      Harness b = a.peer("node-b");
      b.flowSync.presence().join(b.token("u2"), "c-b", "r", null, null);
      b.close();
      a.clock.advance(Duration.ofSeconds(5));
      a.flowSync.presence().removeDeadNodes();
    }

    @Test
    @DisplayName(
        "without a resume grace, a node whose lease ran out is removed by a survivor: its members"
            + " leave as disconnected")
    void deadNodeNoGrace() {
      try (Harness a = Harness.create(b -> b.resumeGrace(Duration.ZERO))) {
        a.flowSync.presence().join(a.token("u1"), "c-a", "r", null, null);
        nodeBDies(a);

        assertThat(a.flowSync.presence().members("r"))
            .extracting(Member::connectionId)
            .containsExactly("c-a");
        assertThat(a.events(MemberLeft.class))
            .singleElement()
            .satisfies(
                e -> {
                  assertThat(e.member().connectionId()).isEqualTo("c-b");
                  assertThat(e.reason()).isEqualTo(LeaveReason.DISCONNECTED);
                });
      }
    }

    @Test
    @DisplayName(
        "a survivor takes a dead node's members over for the resume grace: no event, its user can"
            + " claim them, another user cannot")
    void deadNodeHeldForResume() {
      Harness b = h.peer("node-b");
      b.flowSync.presence().join(b.token("u2"), "c-b", "r", null, null);
      b.flowSync.presence().join(b.token("u2"), "c-b", "r2", null, null);
      presence.join(h.token("u1"), "c-a", "r", null, null);
      b.close();
      h.clock.advance(Duration.ofSeconds(5));

      assertThat(presence.removeDeadNodes()).hasSize(2);

      assertThat(presence.find("r", "c-b")).map(Member::nodeId).contains("node-a");
      assertThat(h.events(MemberLeft.class)).isEmpty();
      assertThat(presence.claimOrphan("c-b", "u1")).isEmpty();
      assertThat(presence.claimOrphan("c-b", "u2")).containsExactlyInAnyOrder("r", "r2");
      assertThat(presence.claimOrphan("c-b", "u2")).isEmpty();
      assertThat(presence.orphanCount()).isZero();
    }

    @Test
    @DisplayName("a dead node's member nobody resumes leaves as disconnected when the grace ends")
    void deadNodeGraceEnds() {
      try (Harness a = Harness.create(b -> b.resumeGrace(Duration.ofMillis(300)))) {
        nodeBDies(a);
        assertThat(a.events(MemberLeft.class)).isEmpty();

        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () ->
                    assertThat(a.events(MemberLeft.class))
                        .singleElement()
                        .satisfies(
                            e -> {
                              assertThat(e.member().connectionId()).isEqualTo("c-b");
                              assertThat(e.member().nodeId()).isEqualTo("node-a");
                              assertThat(e.reason()).isEqualTo(LeaveReason.DISCONNECTED);
                            }));
        assertThat(a.flowSync.presence().members("r")).isEmpty();
      }
    }

    @Test
    @DisplayName(
        "a held member the store lost (Redis restarted empty) is written back, so its grace still"
            + " ends in member.left")
    void heldMemberRestoredAfterStoreLoss() {
      try (Harness a = Harness.create(b -> b.resumeGrace(Duration.ofSeconds(2)))) {
        nodeBDies(a);
        a.stores.presence().remove("r", "c-b"); // the store forgets it, with no event

        assertThat(a.flowSync.presence().restoreOrphans()).isEqualTo(1);
        assertThat(a.flowSync.presence().find("r", "c-b")).map(Member::nodeId).contains("node-a");
        assertThat(a.flowSync.presence().restoreOrphans()).isZero();

        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () ->
                    assertThat(a.events(MemberLeft.class))
                        .singleElement()
                        .satisfies(e -> assertThat(e.member().connectionId()).isEqualTo("c-b")));
        assertThat(a.flowSync.presence().members("r")).isEmpty();
      }
    }

    @Test
    @DisplayName(
        "after its own lease renewal failed (store outage) a node reaps nobody until the others"
            + " had a lease period to renew")
    void noReapingRightAfterAnOutage() {
      java.util.concurrent.atomic.AtomicBoolean down =
          new java.util.concurrent.atomic.AtomicBoolean();
      PresenceStore real = InMemoryStores.create().presence();
      PresenceStore flaky =
          (PresenceStore)
              java.lang.reflect.Proxy.newProxyInstance(
                  PresenceStore.class.getClassLoader(),
                  new Class<?>[] {PresenceStore.class},
                  (proxy, method, args) -> {
                    if (down.get()) {
                      throw new IllegalStateException("store unreachable");
                    }
                    try {
                      return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                      throw e.getCause();
                    }
                  });
      try (Harness a =
          Harness.create(
              InMemoryStores.create().withPresence(flaky), b -> b.resumeGrace(Duration.ZERO))) {
        Harness b = a.peer("node-b");
        b.flowSync.presence().join(b.token("u2"), "c-b", "r", null, null);
        a.flowSync.presence().join(a.token("u1"), "c-a", "r", null, null);
        b.close(); // from here on nobody renews node-b's lease
        down.set(true);
        a.clock.advance(Duration.ofSeconds(5));
        assertThatThrownBy(() -> a.flowSync.presence().renewLease())
            .isInstanceOf(dev.flowsync.core.FlowSyncException.UnavailableException.class);
        down.set(false);

        a.flowSync.presence().renewLease();
        assertThat(a.flowSync.presence().removeDeadNodes()).isEmpty();
        assertThat(a.flowSync.presence().members("r")).hasSize(2);

        a.clock.advance(Duration.ofSeconds(6)); // lease (4 s) + 1 s after the failure
        a.flowSync.presence().removeDeadNodes();
        assertThat(a.flowSync.presence().members("r"))
            .extracting(Member::connectionId)
            .containsExactly("c-a");
      }
    }

    @Test
    @DisplayName("a node never removes its own members, even when its own lease looks expired")
    void notSelf() {
      presence.join(h.token("u1"), "c-a", "r", null, null);
      h.clock.advance(Duration.ofMinutes(10));

      assertThat(presence.removeDeadNodes()).isEmpty();
      assertThat(presence.members("r")).hasSize(1);
    }

    @Test
    @DisplayName("adoptConnection moves a resumed connection's memberships to this node")
    void adopt() {
      Harness b = h.peer("node-b");
      try {
        b.flowSync.presence().join(b.token("u2"), "c1", "r", null, null);

        assertThat(presence.adoptConnection("c1"))
            .extracting(Member::nodeId)
            .containsExactly("node-a");
        assertThat(presence.find("r", "c1").orElseThrow().nodeId()).isEqualTo("node-a");
      } finally {
        b.close();
      }
    }
  }

  @Test
  @DisplayName("a join racing a delete of its room never leaves a member in a deleted room")
  void joinRacingDelete() throws Exception {
    CountDownLatch joinLookedUp = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<Thread> joiner = new AtomicReference<>();
    RoomStore pausing =
        new DelegatingRoomStore(new InMemoryRoomStore()) {
          @Override
          public Optional<Room> find(String id) {
            Optional<Room> found = super.find(id);
            if (Thread.currentThread() == joiner.get()) {
              joinLookedUp.countDown();
              awaitQuietly(release);
            }
            return found;
          }
        };
    try (Harness hr = Harness.create(InMemoryStores.create().withRooms(pausing), b -> b)) {
      hr.flowSync.rooms().create(RoomSpec.of("r"));
      AccessToken t = hr.token("u1");
      CompletableFuture<JoinResult> join =
          CompletableFuture.supplyAsync(
              () -> {
                joiner.set(Thread.currentThread());
                return hr.flowSync.presence().join(t, "c1", "r", null, null);
              });
      assertThat(joinLookedUp.await(10, TimeUnit.SECONDS)).isTrue();
      Thread deleter = new Thread(() -> hr.flowSync.rooms().delete("r"));
      deleter.start();
      // Either the delete finishes while the join is paused after its lookup (the race), or it
      // waits for the room's lane: let the join go on once we know which.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  !deleter.isAlive()
                      || deleter.getState() == Thread.State.WAITING
                      || deleter.getState() == Thread.State.BLOCKED);
      release.countDown();
      join.get(10, TimeUnit.SECONDS);
      deleter.join(10_000);

      boolean roomExists = hr.flowSync.rooms().find("r").isPresent();
      List<Member> members = hr.flowSync.presence().members("r");
      assertThat(roomExists || members.isEmpty())
          .as("room exists: %s, members: %s", roomExists, members)
          .isTrue();
      assertThat(hr.events(RoomClosed.class).get(0).members())
          .extracting(Member::connectionId)
          .containsExactly("c1");
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Passes every call to a real store; tests override one method to observe or pause it. */
  static class DelegatingRoomStore implements RoomStore {
    private final RoomStore delegate;

    DelegatingRoomStore(RoomStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public boolean create(Room room) {
      return delegate.create(room);
    }

    @Override
    public Optional<Room> find(String id) {
      return delegate.find(id);
    }

    @Override
    public Page<Room> list(int limit, String cursor) {
      return delegate.list(limit, cursor);
    }

    @Override
    public boolean delete(String id) {
      return delegate.delete(id);
    }
  }
}

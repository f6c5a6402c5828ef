package dev.flowsync.store.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowsync.core.presence.AdmitResult;
import dev.flowsync.core.presence.Member;
import dev.flowsync.core.presence.PresenceStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The contract of {@link PresenceStore}. */
@DisplayName("PresenceStore")
public abstract class PresenceStoreContract extends StoreContract {

  /** Skips these contracts for a backend without a presence store. */
  @BeforeEach
  protected final void requirePresenceStore() {
    requireCapability(StoreCapability.PRESENCE);
  }

  private PresenceStore presence() {
    return stores().presence();
  }

  private Member member(String room, String connectionId) {
    return member(room, connectionId, "u-" + connectionId, "node-a");
  }

  private Member member(String room, String connectionId, String userId, String node) {
    return new Member(room, connectionId, userId, "Name " + userId, "{}", clock.instant(), node);
  }

  private static List<String> connections(List<Member> members) {
    return members.stream().map(Member::connectionId).toList();
  }

  /** Admission against capacity. */
  @Nested
  @DisplayName("admission")
  class Admission {
    @Test
    @DisplayName("admit adds the member and find returns it field for field")
    void admitThenFind() {
      Member m =
          new Member(
              "standup",
              "c1",
              "u42",
              "Ana ✨",
              "{\"status\":\"focus\",\"mic\":true}",
              clock.instant(),
              "node-a");

      assertThat(presence().admit(m, 8)).isEqualTo(AdmitResult.ADMITTED);

      assertThat(presence().find("standup", "c1")).contains(m);
      assertThat(presence().count("standup")).isEqualTo(1);
      assertThat(presence().members("standup")).containsExactly(m);
    }

    @Test
    @DisplayName("admitting a connection that is a member answers ALREADY_MEMBER and keeps it")
    void alreadyMember() {
      Member first = member("r", "c1");
      presence().admit(first, 0);
      clock.advanceMillis(5);
      Member again =
          new Member("r", "c1", "u-c1", "Other name", "{\"x\":1}", clock.instant(), "node-b");

      assertThat(presence().admit(again, 0)).isEqualTo(AdmitResult.ALREADY_MEMBER);

      assertThat(presence().find("r", "c1")).contains(first);
      assertThat(presence().count("r")).isEqualTo(1);
    }

    @Test
    @DisplayName("a connection that is a member of a full room answers ALREADY_MEMBER, not FULL")
    void alreadyMemberOfFullRoom() {
      presence().admit(member("r", "c1"), 1);

      assertThat(presence().admit(member("r", "c1"), 1)).isEqualTo(AdmitResult.ALREADY_MEMBER);
    }

    @Test
    @DisplayName("a room admits up to its capacity and then answers FULL")
    void capacity() {
      for (int i = 0; i < 3; i++) {
        assertThat(presence().admit(member("r", "c" + i), 3)).isEqualTo(AdmitResult.ADMITTED);
      }

      assertThat(presence().admit(member("r", "c3"), 3)).isEqualTo(AdmitResult.FULL);
    }

    @Test
    @DisplayName("FULL changes nothing: the count stays and the connection is in no room")
    void fullChangesNothing() {
      presence().admit(member("r", "c0"), 1);

      presence().admit(member("r", "c1"), 1);

      assertThat(presence().count("r")).isEqualTo(1);
      assertThat(presence().find("r", "c1")).isEmpty();
      assertThat(presence().roomsOf("c1")).isEmpty();
    }

    @Test
    @DisplayName("capacity 0 means no limit")
    void unlimited() {
      for (int i = 0; i < 100; i++) {
        assertThat(presence().admit(member("r", "c" + i), 0)).isEqualTo(AdmitResult.ADMITTED);
      }

      assertThat(presence().count("r")).isEqualTo(100);
    }

    @Test
    @DisplayName("a full room admits again after a member leaves")
    void admitsAfterLeave() {
      presence().admit(member("r", "c0"), 2);
      presence().admit(member("r", "c1"), 2);
      presence().remove("r", "c0");

      assertThat(presence().admit(member("r", "c2"), 2)).isEqualTo(AdmitResult.ADMITTED);
    }

    @Test
    @DisplayName("members of one room do not count against another room's capacity")
    void roomsAreIndependent() {
      presence().admit(member("a", "c0"), 1);

      assertThat(presence().admit(member("b", "c1"), 1)).isEqualTo(AdmitResult.ADMITTED);
      assertThat(presence().count("a")).isEqualTo(1);
      assertThat(presence().count("b")).isEqualTo(1);
    }

    @Test
    @DisplayName("one connection may be in several rooms, one user may have several connections")
    void manyToMany() {
      presence().admit(member("a", "c1", "u1", "node-a"), 0);
      presence().admit(member("b", "c1", "u1", "node-a"), 0);
      presence().admit(member("a", "c2", "u1", "node-a"), 0);

      assertThat(presence().roomsOf("c1")).containsExactlyInAnyOrder("a", "b");
      assertThat(presence().roomsOf("c2")).containsExactly("a");
      assertThat(presence().members("a"))
          .extracting(Member::userId, Member::connectionId)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("u1", "c1"),
              org.assertj.core.groups.Tuple.tuple("u1", "c2"));
    }
  }

  /** Reading presence. */
  @Nested
  @DisplayName("reading")
  class Reading {
    @Test
    @DisplayName("members come oldest first, ties broken by connection id")
    void oldestFirst() {
      Instant t0 = clock.instant();
      presence().admit(memberAt("r", "c-late", t0.plusMillis(20)), 0);
      presence().admit(memberAt("r", "c-b", t0), 0);
      presence().admit(memberAt("r", "c-mid", t0.plusMillis(10)), 0);
      presence().admit(memberAt("r", "c-a", t0), 0);

      assertThat(connections(presence().members("r")))
          .containsExactly("c-a", "c-b", "c-mid", "c-late");
    }

    private Member memberAt(String room, String connectionId, Instant joinedAt) {
      return new Member(room, connectionId, "u", "U", "{}", joinedAt, "node-a");
    }

    @Test
    @DisplayName("an unknown room has no members, count 0, and finds nobody")
    void unknownRoom() {
      assertThat(presence().members("nobody-here")).isEmpty();
      assertThat(presence().count("nobody-here")).isZero();
      assertThat(presence().find("nobody-here", "c1")).isEmpty();
    }

    @Test
    @DisplayName("an unknown connection is in no room")
    void unknownConnection() {
      assertThat(presence().roomsOf("c-unknown")).isEmpty();
    }
  }

  /** Replacing a member's state. */
  @Nested
  @DisplayName("updating state")
  class UpdatingState {
    @Test
    @DisplayName("updateState replaces the state, keeps every other field, and find sees it")
    void replaces() {
      Member m = new Member("r", "c1", "u1", "Ana", "{\"a\":1,\"b\":2}", clock.instant(), "node-a");
      presence().admit(m, 0);

      var updated = presence().updateState("r", "c1", "{\"c\":3}");

      assertThat(updated).contains(m.withState("{\"c\":3}"));
      assertThat(presence().find("r", "c1")).contains(m.withState("{\"c\":3}"));
    }

    @Test
    @DisplayName("updateState of a connection that is not a member of that room is empty")
    void notAMember() {
      presence().admit(member("a", "c1"), 0);

      assertThat(presence().updateState("b", "c1", "{}")).isEmpty();
      assertThat(presence().updateState("a", "c2", "{}")).isEmpty();
      assertThat(presence().find("b", "c1")).isEmpty();
    }
  }

  /** Removing members. */
  @Nested
  @DisplayName("removing")
  class Removing {
    @Test
    @DisplayName("remove returns the member and forgets it everywhere")
    void remove() {
      Member m = member("r", "c1");
      presence().admit(m, 0);
      presence().admit(member("r", "c2"), 0);

      assertThat(presence().remove("r", "c1")).contains(m);

      assertThat(presence().find("r", "c1")).isEmpty();
      assertThat(connections(presence().members("r"))).containsExactly("c2");
      assertThat(presence().count("r")).isEqualTo(1);
      assertThat(presence().roomsOf("c1")).isEmpty();
    }

    @Test
    @DisplayName("removing twice, or a connection that never joined, is empty")
    void removeTwice() {
      presence().admit(member("r", "c1"), 0);
      presence().remove("r", "c1");

      assertThat(presence().remove("r", "c1")).isEmpty();
      assertThat(presence().remove("r", "c-never")).isEmpty();
    }

    @Test
    @DisplayName("removing one membership keeps the connection's other rooms")
    void keepsOtherRooms() {
      presence().admit(member("a", "c1"), 0);
      presence().admit(member("b", "c1"), 0);

      presence().remove("a", "c1");

      assertThat(presence().roomsOf("c1")).containsExactly("b");
    }

    @Test
    @DisplayName("removeRoom removes and returns every member of the room, and only of that room")
    void removeRoom() {
      Member a1 = member("a", "c1");
      presence().admit(a1, 0);
      clock.advanceMillis(1);
      Member a2 = member("a", "c2");
      presence().admit(a2, 0);
      presence().admit(member("b", "c1"), 0);

      assertThat(presence().removeRoom("a")).containsExactlyInAnyOrder(a1, a2);

      assertThat(presence().members("a")).isEmpty();
      assertThat(presence().count("a")).isZero();
      assertThat(presence().roomsOf("c1")).containsExactly("b");
      assertThat(presence().roomsOf("c2")).isEmpty();
      assertThat(presence().count("b")).isEqualTo(1);
    }

    @Test
    @DisplayName("removeRoom of an empty room returns nothing")
    void removeEmptyRoom() {
      assertThat(presence().removeRoom("empty")).isEmpty();
    }
  }

  /** Moving a connection to another node after a resume there. */
  @Nested
  @DisplayName("transferring a connection")
  class Transfer {
    @Test
    @DisplayName("transferConnection moves every membership of the connection to the new node")
    void moves() {
      presence().admit(member("a", "c1", "u1", "node-a"), 0);
      presence().admit(member("b", "c1", "u1", "node-a"), 0);
      presence().admit(member("a", "c2", "u2", "node-a"), 0);

      List<Member> moved = presence().transferConnection("c1", "node-b");

      assertThat(moved).extracting(Member::room).containsExactlyInAnyOrder("a", "b");
      assertThat(moved).allSatisfy(m -> assertThat(m.nodeId()).isEqualTo("node-b"));
      assertThat(presence().find("a", "c1").orElseThrow().nodeId()).isEqualTo("node-b");
      assertThat(presence().find("b", "c1").orElseThrow().nodeId()).isEqualTo("node-b");
      assertThat(presence().find("a", "c2").orElseThrow().nodeId()).isEqualTo("node-a");
    }

    @Test
    @DisplayName("a transferred member keeps its user, name, state and join time")
    void keepsFields() {
      Member m = new Member("a", "c1", "u1", "Ana", "{\"s\":1}", clock.instant(), "node-a");
      presence().admit(m, 0);

      presence().transferConnection("c1", "node-b");

      assertThat(presence().find("a", "c1")).contains(m.withNode("node-b"));
    }

    @Test
    @DisplayName("transferring an unknown connection moves nothing")
    void unknown() {
      assertThat(presence().transferConnection("c-unknown", "node-b")).isEmpty();
    }
  }

  /** Leases that let surviving nodes clean up after a dead one. */
  @Nested
  @DisplayName("node leases")
  class Leases {
    @BeforeEach
    void requireLeases() {
      requireCapability(StoreCapability.NODE_LEASES);
    }

    @Test
    @DisplayName("a node whose lease ends in the future is not expired")
    void fresh() {
      presence().renewLease("node-a", clock.instant().plusSeconds(4));

      assertThat(presence().expiredNodes(clock.instant())).doesNotContain("node-a");
    }

    @Test
    @DisplayName("a lease expires exactly at its expiresAt")
    void boundary() {
      Instant expiresAt = clock.instant().plusSeconds(4);
      presence().renewLease("node-a", expiresAt);

      assertThat(presence().expiredNodes(expiresAt.minusMillis(1))).doesNotContain("node-a");
      assertThat(presence().expiredNodes(expiresAt)).contains("node-a");
    }

    @Test
    @DisplayName("renewing moves the expiry later")
    void renew() {
      presence().renewLease("node-a", clock.instant().plusSeconds(4));
      clock.advance(Duration.ofSeconds(3));
      presence().renewLease("node-a", clock.instant().plusSeconds(4));

      assertThat(presence().expiredNodes(clock.advance(Duration.ofSeconds(2))))
          .doesNotContain("node-a");
      assertThat(presence().expiredNodes(clock.advance(Duration.ofSeconds(2)))).contains("node-a");
    }

    @Test
    @DisplayName("only the nodes whose lease ended are expired")
    void onlyExpired() {
      presence().renewLease("node-a", clock.instant().plusSeconds(1));
      presence().renewLease("node-b", clock.instant().plusSeconds(10));

      assertThat(presence().expiredNodes(clock.advance(Duration.ofSeconds(5))))
          .containsExactly("node-a");
    }

    @Test
    @DisplayName("removeNode removes and returns that node's members only, and ends its lease")
    void removeNode() {
      presence().renewLease("node-a", clock.instant().plusSeconds(1));
      presence().renewLease("node-b", clock.instant().plusSeconds(1));
      Member a1 = member("r1", "c1", "u1", "node-a");
      Member a2 = member("r2", "c1", "u1", "node-a");
      Member b1 = member("r1", "c2", "u2", "node-b");
      presence().admit(a1, 0);
      presence().admit(a2, 0);
      presence().admit(b1, 0);

      assertThat(presence().removeNode("node-a")).containsExactlyInAnyOrder(a1, a2);

      assertThat(presence().members("r1")).containsExactly(b1);
      assertThat(presence().members("r2")).isEmpty();
      assertThat(presence().roomsOf("c1")).isEmpty();
      assertThat(presence().expiredNodes(clock.advance(Duration.ofSeconds(5))))
          .containsExactly("node-b");
    }

    @Test
    @DisplayName("a member transferred away survives the removal of its old node")
    void transferredSurvives() {
      presence().renewLease("node-a", clock.instant().plusSeconds(1));
      presence().admit(member("r", "c1", "u1", "node-a"), 0);
      presence().transferConnection("c1", "node-b");

      assertThat(presence().removeNode("node-a")).isEmpty();
      assertThat(presence().find("r", "c1")).isPresent();
    }

    @Test
    @DisplayName(
        "takeOverNode moves that node's members to the survivor as they were, and ends its lease")
    void takeOverNode() {
      presence().renewLease("node-a", clock.instant().plusSeconds(1));
      presence().renewLease("node-b", clock.instant().plusSeconds(10));
      Member a1 = member("r1", "c1", "u1", "node-a");
      Member a2 = member("r2", "c1", "u1", "node-a");
      Member b1 = member("r1", "c2", "u2", "node-b");
      presence().admit(a1, 0);
      presence().admit(a2, 0);
      presence().admit(b1, 0);

      assertThat(presence().takeOverNode("node-a", "node-b"))
          .containsExactlyInAnyOrder(a1.withNode("node-b"), a2.withNode("node-b"));

      assertThat(presence().members("r1")).containsExactlyInAnyOrder(a1.withNode("node-b"), b1);
      assertThat(presence().roomsOf("c1")).containsExactlyInAnyOrder("r1", "r2");
      assertThat(presence().expiredNodes(clock.advance(Duration.ofSeconds(5)))).isEmpty();
      assertThat(presence().takeOverNode("node-a", "node-c")).isEmpty();
      // Now the survivor's: they go when it goes.
      assertThat(presence().removeNode("node-b")).hasSize(3);
    }

    @Test
    @DisplayName("removing a node without lease or members returns nothing")
    void removeUnknownNode() {
      assertThat(presence().removeNode("node-x")).isEmpty();
    }
  }

  /** Several callers, and several instances, at once. */
  @Nested
  @DisplayName("under concurrency")
  class Concurrency {
    @Test
    @DisplayName("16 connections racing into a room of capacity 8: exactly 8 are admitted")
    void capacityIsExact() throws Exception {
      StoreFixture second = stores().secondInstance();

      List<AdmitResult> results =
          Race.run(
              16, i -> (i % 2 == 0 ? stores() : second).presence().admit(member("r", "c" + i), 8));

      assertThat(results).filteredOn(r -> r == AdmitResult.ADMITTED).hasSize(8);
      assertThat(results).filteredOn(r -> r == AdmitResult.FULL).hasSize(8);
      assertThat(presence().count("r")).isEqualTo(8);
      assertThat(second.presence().members("r")).hasSize(8);
    }

    @Test
    @DisplayName("racing joins and leaves never put more members in a room than its capacity")
    void churn() throws Exception {
      StoreFixture second = stores().secondInstance();
      List<Integer> peaks =
          Race.run(
              8,
              i -> {
                PresenceStore p = (i % 2 == 0 ? stores() : second).presence();
                int peak = 0;
                for (int round = 0; round < 50; round++) {
                  String c = "c" + i + "-" + round;
                  if (p.admit(member("r", c), 4) == AdmitResult.ADMITTED) {
                    peak = Math.max(peak, p.count("r"));
                    p.remove("r", c);
                  }
                }
                return peak;
              });

      assertThat(peaks).allSatisfy(p -> assertThat(p).isLessThanOrEqualTo(4));
      assertThat(presence().count("r")).isZero();
    }

    @Test
    @DisplayName("one connection admitted from 8 callers at once is admitted exactly once")
    void sameConnection() throws Exception {
      StoreFixture second = stores().secondInstance();

      List<AdmitResult> results =
          Race.run(8, i -> (i % 2 == 0 ? stores() : second).presence().admit(member("r", "c1"), 0));

      assertThat(results).containsOnlyOnce(AdmitResult.ADMITTED);
      assertThat(presence().count("r")).isEqualTo(1);
    }

    @Test
    @DisplayName("nodes racing to take a dead node over get each of its members exactly once")
    void racingTakeOver() throws Exception {
      requireCapability(StoreCapability.NODE_LEASES);
      StoreFixture second = stores().secondInstance();
      presence().renewLease("node-dead", clock.instant().plusSeconds(1));
      for (int i = 0; i < 20; i++) {
        presence().admit(member("r" + (i % 4), "c" + i, "u" + i, "node-dead"), 0);
      }

      List<List<Member>> taken =
          Race.run(
              4,
              i ->
                  (i % 2 == 0 ? stores() : second)
                      .presence()
                      .takeOverNode("node-dead", "node-" + i));

      List<String> all = new ArrayList<>();
      for (int i = 0; i < taken.size(); i++) {
        for (Member m : taken.get(i)) {
          assertThat(m.nodeId()).isEqualTo("node-" + i);
          assertThat(presence().find(m.room(), m.connectionId())).contains(m);
          all.add(m.connectionId());
        }
      }
      assertThat(all).hasSize(20).doesNotHaveDuplicates();
    }

    @Test
    @DisplayName("nodes racing to remove a dead node get each of its members exactly once")
    void racingRemoveNode() throws Exception {
      requireCapability(StoreCapability.NODE_LEASES);
      StoreFixture second = stores().secondInstance();
      presence().renewLease("node-dead", clock.instant().plusSeconds(1));
      List<Member> held = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        Member m = member("r" + (i % 4), "c" + i, "u" + i, "node-dead");
        presence().admit(m, 0);
        held.add(m);
      }

      List<List<Member>> removed =
          Race.run(4, i -> (i % 2 == 0 ? stores() : second).presence().removeNode("node-dead"));

      List<Member> all = new ArrayList<>();
      removed.forEach(all::addAll);
      assertThat(all).containsExactlyInAnyOrderElementsOf(held);
    }
  }
}

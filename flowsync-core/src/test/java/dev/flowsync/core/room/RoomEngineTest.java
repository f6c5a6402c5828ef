package dev.flowsync.core.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowsync.core.ErrorCode;
import dev.flowsync.core.FlowSyncException;
import dev.flowsync.core.FlowSyncException.BadRequestException;
import dev.flowsync.core.FlowSyncException.ConflictException;
import dev.flowsync.core.FlowSyncException.NotFoundException;
import dev.flowsync.core.Page;
import dev.flowsync.core.auth.AccessToken;
import dev.flowsync.core.event.RoomClosed;
import dev.flowsync.core.event.RoomCreated;
import dev.flowsync.core.presence.LeaveReason;
import dev.flowsync.core.session.MemberSession;
import dev.flowsync.core.support.Harness;
import dev.flowsync.core.timer.Phase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("RoomEngine")
class RoomEngineTest {
  private final Harness h = Harness.create(b -> b.defaultRoomCapacity(0));
  private final RoomEngine rooms = h.flowSync.rooms();

  @AfterEach
  void close() {
    h.close();
  }

  @Nested
  @DisplayName("create")
  class Create {
    @Test
    @DisplayName("a room with only an id takes every default and is announced")
    void defaults() {
      Room room = rooms.create(RoomSpec.of("standup"));

      assertThat(room)
          .isEqualTo(
              new Room(
                  "standup", "standup", 0, false, TimerControl.ANYONE, null, "{}", Harness.T0));
      assertThat(rooms.get("standup")).isEqualTo(room);
      assertThat(h.events(RoomCreated.class)).containsExactly(new RoomCreated(room, Harness.T0));
    }

    @Test
    @DisplayName("every field of the spec is kept")
    void fields() {
      Room room =
          rooms.create(new RoomSpec("r1", "Retro", 5, true, TimerControl.OWNER, "u1", "{\"a\":1}"));

      assertThat(room)
          .isEqualTo(
              new Room("r1", "Retro", 5, true, TimerControl.OWNER, "u1", "{\"a\":1}", Harness.T0));
    }

    @Test
    @DisplayName("without an id, a random valid id is generated")
    void generatedId() {
      Room a = rooms.create(RoomSpec.of(null));
      Room b = rooms.create(RoomSpec.of(null));

      assertThat(a.id()).startsWith("r_").isNotEqualTo(b.id());
      assertThat(RoomEngine.requireValidId(a.id())).isEqualTo(a.id());
    }

    @Test
    @DisplayName("the configured default capacity applies when the spec has none")
    void defaultCapacity() {
      try (Harness h8 = Harness.create(b -> b.defaultRoomCapacity(8))) {
        assertThat(h8.flowSync.rooms().create(RoomSpec.of("r")).capacity()).isEqualTo(8);
      }
    }

    @Test
    @DisplayName("an id that exists answers conflict and announces nothing")
    void conflict() {
      rooms.create(RoomSpec.of("r"));

      assertThatThrownBy(() -> rooms.create(RoomSpec.of("r")))
          .isInstanceOf(ConflictException.class)
          .hasMessageContaining("'r'")
          .extracting(e -> ((FlowSyncException) e).code())
          .isEqualTo(ErrorCode.CONFLICT);
      assertThat(h.events(RoomCreated.class)).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "ümlaut", "slash/room", "{json}"})
    @DisplayName("an invalid id answers bad_request")
    void invalidId(String id) {
      assertThatThrownBy(() -> rooms.create(RoomSpec.of(id)))
          .isInstanceOf(BadRequestException.class);
    }

    @Test
    @DisplayName("ids of 64 characters are valid, 65 are not")
    void idLength() {
      assertThat(rooms.create(RoomSpec.of("a".repeat(64))).id()).hasSize(64);
      assertThatThrownBy(() -> rooms.create(RoomSpec.of("a".repeat(65))))
          .isInstanceOf(BadRequestException.class);
    }

    @Test
    @DisplayName("a negative capacity or a name over 200 characters answers bad_request")
    void badFields() {
      assertThatThrownBy(() -> rooms.create(new RoomSpec("r", null, -1, null, null, null, null)))
          .isInstanceOf(BadRequestException.class)
          .hasMessageContaining("-1");
      assertThatThrownBy(
              () -> rooms.create(new RoomSpec("r", "n".repeat(201), null, null, null, null, null)))
          .isInstanceOf(BadRequestException.class);
    }
  }

  @Nested
  @DisplayName("find, get and list")
  class Read {
    @Test
    @DisplayName("an unknown room is empty for find and not_found for get")
    void unknown() {
      assertThat(rooms.find("nope")).isEmpty();
      assertThatThrownBy(() -> rooms.get("nope"))
          .isInstanceOf(NotFoundException.class)
          .hasMessageContaining("'nope'");
    }

    @Test
    @DisplayName("list pages through rooms by id with an opaque cursor")
    void paging() {
      for (String id : List.of("c", "a", "e", "b", "d")) {
        rooms.create(RoomSpec.of(id));
      }

      Page<Room> first = rooms.list(2, null);
      Page<Room> second = rooms.list(2, first.nextCursor());
      Page<Room> third = rooms.list(2, second.nextCursor());

      assertThat(first.items()).extracting(Room::id).containsExactly("a", "b");
      assertThat(second.items()).extracting(Room::id).containsExactly("c", "d");
      assertThat(third.items()).extracting(Room::id).containsExactly("e");
      assertThat(third.hasNext()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 201})
    @DisplayName("a limit outside 1..200 answers bad_request")
    void limits(int limit) {
      assertThatThrownBy(() -> rooms.list(limit, null)).isInstanceOf(BadRequestException.class);
      assertThatThrownBy(() -> rooms.sessions("r", limit, null))
          .isInstanceOf(BadRequestException.class);
    }

    @Test
    @DisplayName("a session cursor the store did not issue answers bad_request, not unavailable")
    void foreignCursor() {
      assertThatThrownBy(() -> rooms.sessions("r", 10, "not-a-cursor"))
          .isInstanceOf(BadRequestException.class);
    }

    @Test
    @DisplayName("memberCount counts the members of the room")
    void memberCount() {
      AccessToken t = h.token("u1");
      h.flowSync.presence().join(t, "c1", "r", null, null);
      h.flowSync.presence().join(t, "c2", "r", null, null);

      assertThat(rooms.memberCount("r")).isEqualTo(2);
      assertThat(rooms.memberCount("empty")).isZero();
    }
  }

  @Nested
  @DisplayName("delete")
  class Delete {
    @Test
    @DisplayName("closes the room: members removed and told, timer and chat gone, stays ended")
    void closesMembers() {
      AccessToken t = h.token("u1");
      h.flowSync.presence().join(t, "c1", "r", null, null);
      h.flowSync.presence().join(h.token("u2"), "c2", "r", null, null);
      h.flowSync.timers().start("r", "u1", List.of(new Phase("focus", 60_000)), false);
      h.flowSync.chat().send("r", "u1", "Ana", "hello", null);
      h.clock.advance(Duration.ofSeconds(30));

      rooms.delete("r");

      assertThat(rooms.find("r")).isEmpty();
      assertThat(h.flowSync.presence().members("r")).isEmpty();
      assertThat(h.flowSync.presence().roomsOf("c1")).isEmpty();
      assertThat(h.stores.timers().find("r")).isEmpty();
      assertThat(h.flowSync.chat().lastSeq("r")).isZero();
      RoomClosed closed = h.events(RoomClosed.class).get(0);
      assertThat(closed.members()).extracting(m -> m.connectionId()).containsExactly("c1", "c2");
      assertThat(closed.at()).isEqualTo(Harness.T0.plusSeconds(30));
      assertThat(rooms.sessions("r", 10, null).items())
          .extracting(MemberSession::reason, MemberSession::durationMs)
          .containsOnly(org.assertj.core.groups.Tuple.tuple(LeaveReason.CLOSED, 30_000L));
    }

    @Test
    @DisplayName("an unknown room answers not_found")
    void unknown() {
      assertThatThrownBy(() -> rooms.delete("nope")).isInstanceOf(NotFoundException.class);
      assertThat(h.events(RoomClosed.class)).isEmpty();
    }
  }
}

package dev.flowsync.store.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowsync.core.Page;
import dev.flowsync.core.room.Room;
import dev.flowsync.core.room.RoomStore;
import dev.flowsync.core.room.TimerControl;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The contract of {@link RoomStore}. */
@DisplayName("RoomStore")
public abstract class RoomStoreContract extends StoreContract {

  /** Skips these contracts for a backend without a room store. */
  @BeforeEach
  protected final void requireRoomStore() {
    requireCapability(StoreCapability.ROOMS);
  }

  private RoomStore rooms() {
    return stores().rooms();
  }

  private Room room(String id) {
    return new Room(id, "Room " + id, 0, false, TimerControl.ANYONE, null, "{}", clock.instant());
  }

  private List<String> ids(Page<Room> page) {
    return page.items().stream().map(Room::id).toList();
  }

  /** Walks every page with the given limit and returns the ids in listing order. */
  private List<String> listAll(int limit) {
    List<String> all = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Page<Room> page = rooms().list(limit, cursor);
      assertThat(page.items()).hasSizeLessThanOrEqualTo(limit);
      all.addAll(ids(page));
      cursor = page.nextCursor();
      assertThat(++pages).as("pages needed").isLessThan(1000);
    } while (cursor != null);
    return all;
  }

  /** Creating rooms and finding them again. */
  @Nested
  @DisplayName("creating and finding")
  class Creating {
    @Test
    @DisplayName("create stores the room and find returns it field for field")
    void createThenFind() {
      Room room =
          new Room(
              "standup",
              "Daily stand-up",
              8,
              true,
              TimerControl.OWNER,
              "u42",
              "{\"team\":\"core\",\"n\":3}",
              clock.instant());

      assertThat(rooms().create(room)).isTrue();

      assertThat(rooms().find("standup")).contains(room);
    }

    @Test
    @DisplayName("a room without an owner keeps a null owner")
    void nullOwner() {
      Room room = room("open");
      rooms().create(room);

      assertThat(rooms().find("open")).hasValueSatisfying(r -> assertThat(r.ownerId()).isNull());
    }

    @Test
    @DisplayName("names and meta keep non-ASCII text exactly")
    void unicode() {
      Room room =
          new Room(
              "cafe",
              "Café ☕ Zürich 東京 🎉",
              0,
              false,
              TimerControl.ANYONE,
              "Zoë",
              "{\"emoji\":\"🎉\",\"quote\":\"\\\"\"}",
              clock.instant());
      rooms().create(room);

      assertThat(rooms().find("cafe")).contains(room);
    }

    @Test
    @DisplayName("create of an id that exists returns false and keeps the first room")
    void duplicateId() {
      Room first = room("r1");
      Room second =
          new Room("r1", "Other", 3, true, TimerControl.OWNER, "u9", "{}", clock.instant());
      rooms().create(first);

      assertThat(rooms().create(second)).isFalse();
      assertThat(rooms().find("r1")).contains(first);
    }

    @Test
    @DisplayName("find of an unknown id is empty")
    void unknown() {
      assertThat(rooms().find("nope")).isEmpty();
    }
  }

  /** Cursor pagination. */
  @Nested
  @DisplayName("listing")
  class Listing {
    @Test
    @DisplayName("an empty store lists no rooms and no next cursor")
    void empty() {
      Page<Room> page = rooms().list(10, null);

      assertThat(page.items()).isEmpty();
      assertThat(page.nextCursor()).isNull();
    }

    @Test
    @DisplayName("rooms come in id order, page by page, each exactly once")
    void pagesInIdOrder() {
      for (String id : List.of("delta", "alpha", "golf", "charlie", "echo", "bravo", "foxtrot")) {
        rooms().create(room(id));
      }

      Page<Room> first = rooms().list(3, null);
      assertThat(ids(first)).containsExactly("alpha", "bravo", "charlie");
      assertThat(first.nextCursor()).isNotNull();
      Page<Room> second = rooms().list(3, first.nextCursor());
      assertThat(ids(second)).containsExactly("delta", "echo", "foxtrot");
      Page<Room> third = rooms().list(3, second.nextCursor());
      assertThat(ids(third)).containsExactly("golf");
      assertThat(third.nextCursor()).isNull();
    }

    @Test
    @DisplayName("a last page that is exactly full has no next cursor")
    void exactlyFullLastPage() {
      for (String id : List.of("a", "b", "c", "d")) {
        rooms().create(room(id));
      }

      Page<Room> second = rooms().list(2, rooms().list(2, null).nextCursor());

      assertThat(ids(second)).containsExactly("c", "d");
      assertThat(second.nextCursor()).isNull();
    }

    @Test
    @DisplayName("a limit above the number of rooms returns them all on one page")
    void bigLimit() {
      rooms().create(room("x"));
      rooms().create(room("y"));

      Page<Room> page = rooms().list(200, null);

      assertThat(ids(page)).containsExactly("x", "y");
      assertThat(page.nextCursor()).isNull();
    }

    @Test
    @DisplayName("a limit of 1 walks every room")
    void limitOne() {
      for (int i = 0; i < 5; i++) {
        rooms().create(room("r" + i));
      }

      assertThat(listAll(1)).containsExactly("r0", "r1", "r2", "r3", "r4");
    }

    @Test
    @DisplayName("ids are ordered by their characters, not as numbers")
    void lexicographic() {
      for (String id : List.of("r10", "r9", "r1", "R2", "r_1", "r-1")) {
        rooms().create(room(id));
      }
      List<String> expected = new ArrayList<>(List.of("r10", "r9", "r1", "R2", "r_1", "r-1"));
      expected.sort(String::compareTo);

      assertThat(listAll(2)).isEqualTo(expected);
    }

    @Test
    @DisplayName("a cursor stays valid when rooms are created and deleted between pages")
    void cursorSurvivesChanges() {
      for (String id : List.of("a", "b", "c", "d", "e")) {
        rooms().create(room(id));
      }
      Page<Room> first = rooms().list(2, null);

      rooms().delete("c");
      rooms().create(room("bb"));
      rooms().create(room("aa"));

      Page<Room> second = rooms().list(2, first.nextCursor());
      assertThat(ids(first)).containsExactly("a", "b");
      assertThat(ids(second)).containsExactly("bb", "d");
      assertThat(ids(rooms().list(2, second.nextCursor()))).containsExactly("e");
    }
  }

  /** Deleting rooms. */
  @Nested
  @DisplayName("deleting")
  class Deleting {
    @Test
    @DisplayName("delete removes the room from find and from the listing")
    void delete() {
      rooms().create(room("a"));
      rooms().create(room("b"));

      assertThat(rooms().delete("a")).isTrue();

      assertThat(rooms().find("a")).isEmpty();
      assertThat(ids(rooms().list(10, null))).containsExactly("b");
    }

    @Test
    @DisplayName("delete of an unknown or already deleted id returns false")
    void deleteUnknown() {
      rooms().create(room("a"));
      rooms().delete("a");

      assertThat(rooms().delete("a")).isFalse();
      assertThat(rooms().delete("never")).isFalse();
    }

    @Test
    @DisplayName("a deleted room's id can be created again")
    void recreate() {
      rooms().create(room("a"));
      rooms().delete("a");
      Room again =
          new Room("a", "Again", 2, false, TimerControl.ANYONE, null, "{}", clock.instant());

      assertThat(rooms().create(again)).isTrue();
      assertThat(rooms().find("a")).contains(again);
    }
  }

  /** Several callers at once. */
  @Nested
  @DisplayName("under concurrency")
  class Concurrency {
    @Test
    @DisplayName("16 callers creating the same id at once: exactly one succeeds")
    void racingCreates() throws Exception {
      StoreFixture second = stores().secondInstance();

      List<Boolean> created =
          Race.run(
              16,
              i -> {
                Room r =
                    new Room(
                        "contested",
                        "by " + i,
                        0,
                        false,
                        TimerControl.ANYONE,
                        "u" + i,
                        "{}",
                        clock.instant());
                return (i % 2 == 0 ? stores() : second).rooms().create(r);
              });

      assertThat(created).containsOnlyOnce(true);
      int winner = created.indexOf(true);
      assertThat(rooms().find("contested").orElseThrow().ownerId()).isEqualTo("u" + winner);
    }
  }
}

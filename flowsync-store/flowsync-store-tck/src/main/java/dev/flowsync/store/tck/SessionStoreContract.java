package dev.flowsync.store.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowsync.core.Page;
import dev.flowsync.core.presence.LeaveReason;
import dev.flowsync.core.session.MemberSession;
import dev.flowsync.core.session.SessionStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The contract of {@link SessionStore}. */
@DisplayName("SessionStore")
public abstract class SessionStoreContract extends StoreContract {

  /** Skips these contracts for a backend without a session store. */
  @BeforeEach
  protected final void requireSessionStore() {
    requireCapability(StoreCapability.SESSIONS);
  }

  private SessionStore sessions() {
    return stores().sessions();
  }

  private MemberSession open(String room, String connectionId, Instant joinedAt) {
    MemberSession s =
        new MemberSession(room, connectionId, "u-" + connectionId, joinedAt, null, null);
    sessions().open(s);
    return s;
  }

  private static List<String> connections(Page<MemberSession> page) {
    return page.items().stream().map(MemberSession::connectionId).toList();
  }

  private List<String> listAll(String room, int limit) {
    List<String> all = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Page<MemberSession> page = sessions().list(room, limit, cursor);
      assertThat(page.items()).hasSizeLessThanOrEqualTo(limit);
      all.addAll(connections(page));
      cursor = page.nextCursor();
      assertThat(++pages).as("pages needed").isLessThan(1000);
    } while (cursor != null);
    return all;
  }

  /** Opening and closing stays. */
  @Nested
  @DisplayName("recording stays")
  class Recording {
    @Test
    @DisplayName("an opened stay is listed as open: no leftAt, no reason, no duration")
    void open() {
      MemberSession s = SessionStoreContract.this.open("r", "c1", clock.instant());

      Page<MemberSession> page = sessions().list("r", 10, null);

      assertThat(page.items()).containsExactly(s);
      assertThat(page.items().get(0).durationMs()).isNull();
    }

    @Test
    @DisplayName("close ends the stay with leftAt, reason and duration, and returns it")
    void close() {
      Instant joined = clock.instant();
      SessionStoreContract.this.open("r", "c1", joined);
      Instant left = clock.advance(Duration.ofSeconds(90));

      var closed = sessions().close("r", "c1", left, LeaveReason.DISCONNECTED);

      MemberSession expected =
          new MemberSession("r", "c1", "u-c1", joined, left, LeaveReason.DISCONNECTED);
      assertThat(closed).contains(expected);
      assertThat(sessions().list("r", 10, null).items()).containsExactly(expected);
      assertThat(expected.durationMs()).isEqualTo(90_000);
    }

    @Test
    @DisplayName("closing a stay that is not open, or unknown, returns empty and changes nothing")
    void closeTwice() {
      SessionStoreContract.this.open("r", "c1", clock.instant());
      Instant left = clock.advanceMillis(10);
      sessions().close("r", "c1", left, LeaveReason.LEFT);

      assertThat(sessions().close("r", "c1", clock.advanceMillis(10), LeaveReason.KICKED))
          .isEmpty();
      assertThat(sessions().close("r", "c-unknown", clock.instant(), LeaveReason.LEFT)).isEmpty();
      assertThat(sessions().close("other", "c1", clock.instant(), LeaveReason.LEFT)).isEmpty();
      assertThat(sessions().list("r", 10, null).items().get(0).reason())
          .isEqualTo(LeaveReason.LEFT);
      assertThat(sessions().list("r", 10, null).items().get(0).leftAt()).isEqualTo(left);
    }

    @Test
    @DisplayName("a connection that rejoins has two stays, and close ends only the open one")
    void rejoin() {
      Instant t0 = clock.instant();
      SessionStoreContract.this.open("r", "c1", t0);
      Instant firstLeft = clock.advanceMillis(100);
      sessions().close("r", "c1", firstLeft, LeaveReason.LEFT);
      Instant rejoined = clock.advanceMillis(100);
      SessionStoreContract.this.open("r", "c1", rejoined);
      Instant secondLeft = clock.advanceMillis(100);

      sessions().close("r", "c1", secondLeft, LeaveReason.TIMEOUT);

      assertThat(sessions().list("r", 10, null).items())
          .containsExactly(
              new MemberSession("r", "c1", "u-c1", rejoined, secondLeft, LeaveReason.TIMEOUT),
              new MemberSession("r", "c1", "u-c1", t0, firstLeft, LeaveReason.LEFT));
    }

    @Test
    @DisplayName("every leave reason round-trips")
    void reasons() {
      for (LeaveReason reason : LeaveReason.values()) {
        String c = "c-" + reason.wireName();
        SessionStoreContract.this.open("r", c, clock.instant());
        sessions().close("r", c, clock.advanceMillis(1), reason);
      }

      assertThat(sessions().list("r", 10, null).items())
          .extracting(MemberSession::reason)
          .containsExactlyInAnyOrder(LeaveReason.values());
    }
  }

  /** Paging through stays. */
  @Nested
  @DisplayName("listing")
  class Listing {
    @Test
    @DisplayName("stays come most recent join first, whatever order they were recorded in")
    void newestFirst() {
      Instant t0 = clock.instant();
      open("r", "c2", t0.plusSeconds(2));
      open("r", "c0", t0);
      open("r", "c3", t0.plusSeconds(3));
      open("r", "c1", t0.plusSeconds(1));

      assertThat(connections(sessions().list("r", 10, null)))
          .containsExactly("c3", "c2", "c1", "c0");
    }

    @Test
    @DisplayName("pages follow the cursor, each stay exactly once, the last page has no cursor")
    void paging() {
      for (int i = 0; i < 7; i++) {
        open("r", "c" + i, clock.advanceMillis(1000));
      }

      Page<MemberSession> first = sessions().list("r", 3, null);
      assertThat(connections(first)).containsExactly("c6", "c5", "c4");
      Page<MemberSession> second = sessions().list("r", 3, first.nextCursor());
      assertThat(connections(second)).containsExactly("c3", "c2", "c1");
      Page<MemberSession> third = sessions().list("r", 3, second.nextCursor());
      assertThat(connections(third)).containsExactly("c0");
      assertThat(third.nextCursor()).isNull();
    }

    @Test
    @DisplayName("a last page that is exactly full has no next cursor")
    void exactlyFull() {
      for (int i = 0; i < 4; i++) {
        open("r", "c" + i, clock.advanceMillis(1000));
      }

      Page<MemberSession> second =
          sessions().list("r", 2, sessions().list("r", 2, null).nextCursor());

      assertThat(connections(second)).containsExactly("c1", "c0");
      assertThat(second.nextCursor()).isNull();
    }

    @Test
    @DisplayName("stays that began at the same instant are each listed exactly once across pages")
    void ties() {
      Instant same = clock.instant();
      for (int i = 0; i < 7; i++) {
        open("r", "c" + i, same);
      }

      assertThat(listAll("r", 2))
          .containsExactlyInAnyOrder("c0", "c1", "c2", "c3", "c4", "c5", "c6");
    }

    @Test
    @DisplayName("stays opened between pages do not shift or repeat the later pages")
    void newStaysBetweenPages() {
      for (int i = 0; i < 4; i++) {
        open("r", "c" + i, clock.advanceMillis(1000));
      }
      Page<MemberSession> first = sessions().list("r", 2, null);

      open("r", "c-new", clock.advanceMillis(1000));

      assertThat(connections(sessions().list("r", 2, first.nextCursor())))
          .containsExactly("c1", "c0");
    }

    @Test
    @DisplayName("only the room's own stays are listed; an unknown room has an empty last page")
    void perRoom() {
      open("a", "c1", clock.instant());
      open("b", "c2", clock.instant());

      assertThat(connections(sessions().list("a", 10, null))).containsExactly("c1");
      Page<MemberSession> none = sessions().list("never", 10, null);
      assertThat(none.items()).isEmpty();
      assertThat(none.nextCursor()).isNull();
    }
  }

  /** Deleting old stays. */
  @Nested
  @DisplayName("retention")
  class Retention {
    @BeforeEach
    void requireRetention() {
      requireCapability(StoreCapability.RETENTION);
    }

    @Test
    @DisplayName("deleteEndedBefore deletes stays that ended before the cutoff, never open ones")
    void cutoff() {
      Instant t0 = clock.instant();
      open("r", "old-ended", t0);
      sessions().close("r", "old-ended", t0.plusSeconds(1), LeaveReason.LEFT);
      open("r", "old-open", t0);
      open("r", "at-cutoff", t0);
      Instant cutoff = t0.plusSeconds(60);
      sessions().close("r", "at-cutoff", cutoff, LeaveReason.LEFT);
      open("other", "other-old", t0);
      sessions().close("other", "other-old", t0.plusSeconds(2), LeaveReason.KICKED);

      assertThat(sessions().deleteEndedBefore(cutoff)).isEqualTo(2);

      assertThat(listAll("r", 10)).containsExactlyInAnyOrder("old-open", "at-cutoff");
      assertThat(listAll("other", 10)).isEmpty();
    }

    @Test
    @DisplayName("a cursor stays valid when retention deletes older stays between pages")
    void cursorSurvivesRetention() {
      Instant t0 = clock.instant();
      for (int i = 0; i < 3; i++) {
        open("r", "old" + i, t0.plusSeconds(i));
        sessions().close("r", "old" + i, t0.plusSeconds(10 + i), LeaveReason.LEFT);
      }
      for (int i = 0; i < 3; i++) {
        open("r", "new" + i, t0.plusSeconds(100 + i));
      }
      Page<MemberSession> first = sessions().list("r", 2, null);

      sessions().deleteEndedBefore(t0.plusSeconds(12)); // old0 and old1

      Page<MemberSession> second = sessions().list("r", 2, first.nextCursor());
      assertThat(connections(first)).containsExactly("new2", "new1");
      assertThat(connections(second)).containsExactly("new0", "old2");
      assertThat(second.nextCursor()).isNull();
    }
  }
}

package dev.flowsync.store.sql;

import static dev.flowsync.store.sql.internal.jooq.Tables.FS_MEMBER_SESSIONS;
import static org.jooq.impl.DSL.row;
import static org.jooq.impl.DSL.select;

import dev.flowsync.core.Page;
import dev.flowsync.core.presence.LeaveReason;
import dev.flowsync.core.session.MemberSession;
import dev.flowsync.core.session.SessionStore;
import dev.flowsync.core.store.StoreHealth;
import dev.flowsync.store.sql.internal.SqlDb;
import dev.flowsync.store.sql.internal.SqlHealth;
import dev.flowsync.store.sql.internal.jooq.tables.records.FsMemberSessionsRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.impl.DSL;

/**
 * Member stays in table {@code fs_member_sessions}, listed most recent join first (equal join times
 * in the reverse order they were recorded). The list cursor is the (joinedAt, row id) of the last
 * stay of the previous page, so stays recorded or deleted between pages never shift a page.
 * Failures throw {@link dev.flowsync.core.FlowSyncException.UnavailableException}.
 */
public final class SqlSessionStore implements SessionStore, StoreHealth {
  private final SqlDb db;
  private final SqlHealth health;

  SqlSessionStore(SqlDb db, SqlHealth health) {
    this.db = db;
    this.health = health;
  }

  @Override
  public void open(MemberSession session) {
    db.run(
        "Recording the stay of '" + session.connectionId() + "' in room '" + session.room() + "'",
        dsl ->
            dsl.insertInto(FS_MEMBER_SESSIONS)
                .set(FS_MEMBER_SESSIONS.ROOM, session.room())
                .set(FS_MEMBER_SESSIONS.CONNECTION_ID, session.connectionId())
                .set(FS_MEMBER_SESSIONS.USER_ID, session.userId())
                .set(FS_MEMBER_SESSIONS.JOINED_AT, session.joinedAt())
                .set(FS_MEMBER_SESSIONS.LEFT_AT, session.leftAt())
                .set(
                    FS_MEMBER_SESSIONS.REASON,
                    session.reason() == null ? null : session.reason().wireName())
                .execute());
  }

  @Override
  public Optional<MemberSession> close(
      String room, String connectionId, Instant leftAt, LeaveReason reason) {
    return db.transaction(
        "Ending the stay of '" + connectionId + "' in room '" + room + "'",
        dsl -> {
          Optional<FsMemberSessionsRecord> open =
              dsl.selectFrom(FS_MEMBER_SESSIONS)
                  .where(
                      FS_MEMBER_SESSIONS.ROOM.eq(room),
                      FS_MEMBER_SESSIONS.CONNECTION_ID.eq(connectionId),
                      FS_MEMBER_SESSIONS.LEFT_AT.isNull())
                  .orderBy(FS_MEMBER_SESSIONS.ID.desc())
                  .limit(1)
                  .forUpdate()
                  .fetchOptional();
          if (open.isEmpty()) {
            return Optional.empty();
          }
          FsMemberSessionsRecord r = open.get();
          dsl.update(FS_MEMBER_SESSIONS)
              .set(FS_MEMBER_SESSIONS.LEFT_AT, leftAt)
              .set(FS_MEMBER_SESSIONS.REASON, reason == null ? null : reason.wireName())
              .where(FS_MEMBER_SESSIONS.ID.eq(r.getId()))
              .execute();
          return dsl.selectFrom(FS_MEMBER_SESSIONS)
              .where(FS_MEMBER_SESSIONS.ID.eq(r.getId()))
              .fetchOptional(SqlSessionStore::session);
        });
  }

  @Override
  public Page<MemberSession> list(String room, int limit, String cursor) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be 1 or more, was " + limit);
    }
    Condition after =
        cursor == null
            ? DSL.noCondition()
            : row(FS_MEMBER_SESSIONS.JOINED_AT, FS_MEMBER_SESSIONS.ID)
                .lt(cursorJoinedAt(cursor), cursorId(cursor));
    var rows =
        db.run(
            "Listing the stays in room '" + room + "'",
            dsl ->
                dsl.selectFrom(FS_MEMBER_SESSIONS)
                    .where(FS_MEMBER_SESSIONS.ROOM.eq(room), after)
                    .orderBy(FS_MEMBER_SESSIONS.JOINED_AT.desc(), FS_MEMBER_SESSIONS.ID.desc())
                    .limit(limit + 1)
                    .fetch());
    boolean more = rows.size() > limit;
    List<FsMemberSessionsRecord> page = more ? rows.subList(0, limit) : rows;
    return new Page<>(
        page.stream().map(SqlSessionStore::session).toList(),
        more ? cursorOf(page.get(limit - 1)) : null);
  }

  /**
   * Deletes stays that ended before the cutoff, in chunks of short transactions; open stays are
   * kept however old.
   */
  @Override
  public int deleteEndedBefore(Instant cutoff) {
    return db.deleteInChunks(
        "Deleting stays ended before " + cutoff,
        dsl ->
            dsl.deleteFrom(FS_MEMBER_SESSIONS)
                .where(
                    FS_MEMBER_SESSIONS.ID.in(
                        select(FS_MEMBER_SESSIONS.ID)
                            .from(FS_MEMBER_SESSIONS)
                            .where(FS_MEMBER_SESSIONS.LEFT_AT.lt(cutoff))
                            .limit(SqlDb.DELETE_CHUNK)))
                .execute());
  }

  // The cursor is the position of the last stay listed: "<joinedAt epoch seconds>.<nanos>:<id>".
  private static String cursorOf(FsMemberSessionsRecord r) {
    Instant t = r.getJoinedAt();
    return t.getEpochSecond() + "." + t.getNano() + ":" + r.getId();
  }

  private static Instant cursorJoinedAt(String cursor) {
    try {
      String t = cursor.substring(0, cursor.indexOf(':'));
      int dot = t.indexOf('.');
      return Instant.ofEpochSecond(
          Long.parseLong(t.substring(0, dot)), Long.parseLong(t.substring(dot + 1)));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Not a sessions cursor of this store: '" + cursor + "'");
    }
  }

  private static long cursorId(String cursor) {
    try {
      return Long.parseLong(cursor.substring(cursor.indexOf(':') + 1));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Not a sessions cursor of this store: '" + cursor + "'");
    }
  }

  private static MemberSession session(FsMemberSessionsRecord r) {
    return new MemberSession(
        r.getRoom(),
        r.getConnectionId(),
        r.getUserId(),
        r.getJoinedAt(),
        r.getLeftAt(),
        reason(r.getReason()));
  }

  private static LeaveReason reason(String wireName) {
    if (wireName == null) {
      return null;
    }
    for (LeaveReason r : LeaveReason.values()) {
      if (r.wireName().equals(wireName)) {
        return r;
      }
    }
    return null;
  }

  /** {@code sql}: the same answer for every store of one {@link SqlStores}. */
  @Override
  public String healthName() {
    return "sql";
  }

  /** Whether the database answered within a second (see {@link SqlStores#isHealthy()}). */
  @Override
  public boolean isHealthy() {
    return health.isHealthy();
  }
}

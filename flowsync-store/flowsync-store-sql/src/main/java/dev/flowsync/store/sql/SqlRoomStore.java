package dev.flowsync.store.sql;

import static dev.flowsync.store.sql.internal.jooq.Tables.FS_ROOMS;

import dev.flowsync.core.Page;
import dev.flowsync.core.room.Room;
import dev.flowsync.core.room.RoomStore;
import dev.flowsync.core.room.TimerControl;
import dev.flowsync.core.store.StoreHealth;
import dev.flowsync.store.sql.internal.SqlDb;
import dev.flowsync.store.sql.internal.SqlHealth;
import dev.flowsync.store.sql.internal.jooq.tables.records.FsRoomsRecord;
import java.util.List;
import java.util.Optional;
import org.jooq.Field;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Rooms in table {@code fs_rooms}; {@link #create} is atomic across nodes (the primary key
 * decides). The list cursor is the last room id of the previous page. Failures throw {@link
 * dev.flowsync.core.FlowSyncException.UnavailableException}.
 */
public final class SqlRoomStore implements RoomStore, StoreHealth {
  private final SqlDb db;
  private final SqlHealth health;

  private final Field<String> orderedId;

  SqlRoomStore(SqlDb db, SqlHealth health) {
    this.db = db;
    this.health = health;
    // Ids are listed in String.compareTo order. H2 compares that way; PostgreSQL follows the
    // database's collation (en_US puts "r-1" after "R2"), so pin the "C" collation there.
    this.orderedId =
        db.dialect().family() == SQLDialect.POSTGRES
            ? DSL.field("{0} collate \"C\"", SQLDataType.VARCHAR, FS_ROOMS.ID)
            : FS_ROOMS.ID;
  }

  @Override
  public boolean create(Room room) {
    boolean created = createRow(room);
    if (created) {
      db.writeThrough();
    }
    return created;
  }

  private boolean createRow(Room room) {
    return db.run(
        "Creating room '" + room.id() + "'",
        dsl -> {
          try {
            return dsl.insertInto(FS_ROOMS)
                    .set(FS_ROOMS.ID, room.id())
                    .set(FS_ROOMS.NAME, room.name())
                    .set(FS_ROOMS.CAPACITY, room.capacity())
                    .set(FS_ROOMS.IS_PRIVATE, room.isPrivate())
                    .set(FS_ROOMS.TIMER_CONTROL, room.timerControl().wireName())
                    .set(FS_ROOMS.OWNER_ID, room.ownerId())
                    .set(FS_ROOMS.META_JSON, room.metaJson())
                    .set(FS_ROOMS.CREATED_AT, room.createdAt())
                    .onConflictDoNothing()
                    .execute()
                == 1;
          } catch (RuntimeException e) {
            if (SqlDb.isUniqueViolation(e)) {
              return false; // a concurrent create won between the check and the insert
            }
            throw e;
          }
        });
  }

  @Override
  public Optional<Room> find(String id) {
    return db.run(
        "Reading room '" + id + "'",
        dsl ->
            dsl.selectFrom(FS_ROOMS)
                .where(FS_ROOMS.ID.eq(id))
                .fetchOptional()
                .map(SqlRoomStore::room));
  }

  @Override
  public Page<Room> list(int limit, String cursor) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be 1 or more, was " + limit);
    }
    Field<String> id = orderedId;
    List<Room> rooms =
        db.run(
            "Listing rooms",
            dsl ->
                dsl.selectFrom(FS_ROOMS)
                    .where(cursor == null ? DSL.noCondition() : id.gt(cursor))
                    .orderBy(id)
                    .limit(limit + 1)
                    .fetch(SqlRoomStore::room));
    if (rooms.size() > limit) {
      List<Room> page = rooms.subList(0, limit);
      return new Page<>(page, page.get(limit - 1).id());
    }
    return new Page<>(rooms, null);
  }

  @Override
  public boolean delete(String id) {
    boolean deleted =
        db.run(
            "Deleting room '" + id + "'",
            dsl -> dsl.deleteFrom(FS_ROOMS).where(FS_ROOMS.ID.eq(id)).execute() == 1);
    if (deleted) {
      db.writeThrough();
    }
    return deleted;
  }

  private static Room room(FsRoomsRecord r) {
    TimerControl control = TimerControl.fromWireName(r.getTimerControl());
    return new Room(
        r.getId(),
        r.getName(),
        r.getCapacity(),
        r.getIsPrivate(),
        control == null ? TimerControl.ANYONE : control,
        r.getOwnerId(),
        r.getMetaJson(),
        r.getCreatedAt());
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

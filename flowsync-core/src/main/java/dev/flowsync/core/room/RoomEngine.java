package dev.flowsync.core.room;

import static dev.flowsync.core.internal.StoreCalls.call;

import dev.flowsync.core.FlowSyncException.BadRequestException;
import dev.flowsync.core.FlowSyncException.ConflictException;
import dev.flowsync.core.FlowSyncException.NotFoundException;
import dev.flowsync.core.Page;
import dev.flowsync.core.event.RoomClosed;
import dev.flowsync.core.event.RoomCreated;
import dev.flowsync.core.internal.EngineContext;
import dev.flowsync.core.internal.Ids;
import dev.flowsync.core.presence.LeaveReason;
import dev.flowsync.core.presence.Member;
import dev.flowsync.core.session.MemberSession;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates, finds, lists and deletes rooms. Obtain it from {@code FlowSync.rooms()}. */
public final class RoomEngine {
  private static final Pattern ROOM_ID = Pattern.compile("[A-Za-z0-9_.:\\-]{1,64}");
  private static final int MAX_PAGE = 200;

  private static final Logger log = LoggerFactory.getLogger(RoomEngine.class);

  private final EngineContext ctx;

  /** Created by {@code FlowSync}; applications obtain the engine from {@code FlowSync.rooms()}. */
  public RoomEngine(EngineContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Checks a room id.
   *
   * @param id the id
   * @return the id, if 1 to 64 letters, digits and {@code _ . : -}
   * @throws BadRequestException otherwise
   */
  public static String requireValidId(String id) {
    if (id == null || !ROOM_ID.matcher(id).matches()) {
      throw new BadRequestException(
          "Room id '" + id + "' is invalid: use 1-64 letters, digits or _ . : -");
    }
    return id;
  }

  /**
   * Creates a room and announces {@code RoomCreated}.
   *
   * @param spec what to create; null fields take the defaults
   * @return the room as stored
   * @throws ConflictException if a room with that id exists
   * @throws BadRequestException if the id, name or capacity is invalid
   */
  public Room create(RoomSpec spec) {
    Room room = toRoom(spec);
    boolean created = call("Creating room", () -> ctx.stores().rooms().create(room));
    if (!created) {
      throw new ConflictException("Room '" + room.id() + "' already exists");
    }
    ctx.events().publish(new RoomCreated(room, room.createdAt()));
    return room;
  }

  /**
   * The room, creating it with defaults when it does not exist and auto-creation is on.
   *
   * @param id the room id
   * @param ownerId the owner of a room created here (the joining user)
   * @return the room
   * @throws NotFoundException if it does not exist and auto-creation is off
   * @throws BadRequestException if the id is invalid
   */
  public Room findOrAutoCreate(String id, String ownerId) {
    requireValidId(id);
    Optional<Room> existing = find(id);
    if (existing.isPresent()) {
      return existing.get();
    }
    if (!ctx.config().autoCreateRooms()) {
      throw new NotFoundException("Room '" + id + "' does not exist");
    }
    Room room = toRoom(new RoomSpec(id, null, null, null, null, ownerId, null));
    if (call("Creating room", () -> ctx.stores().rooms().create(room))) {
      ctx.events().publish(new RoomCreated(room, room.createdAt()));
      return room;
    }
    return get(id); // another connection or node created it first
  }

  /**
   * The room.
   *
   * @param id the room id
   * @return the room, or empty
   */
  public Optional<Room> find(String id) {
    return call("Reading room", () -> ctx.stores().rooms().find(id));
  }

  /**
   * The room.
   *
   * @param id the room id
   * @return the room
   * @throws NotFoundException if it does not exist
   */
  public Room get(String id) {
    return find(id).orElseThrow(() -> new NotFoundException("Room '" + id + "' does not exist"));
  }

  /**
   * Rooms ordered by id.
   *
   * @param limit 1 to 200
   * @param cursor null for the first page, else the {@link Page#nextCursor()} of the previous page
   * @return one page of rooms
   * @throws BadRequestException if the limit is out of range or the cursor is not one we issued
   */
  public Page<Room> list(int limit, String cursor) {
    checkLimit(limit);
    return call(
        "Listing rooms", withCursor(cursor, () -> ctx.stores().rooms().list(limit, cursor)));
  }

  /**
   * Member stays in the room, most recent join first.
   *
   * @param roomId the room id
   * @param limit 1 to 200
   * @param cursor null for the first page, else the {@link Page#nextCursor()} of the previous page
   * @return one page of stays
   * @throws BadRequestException if the limit is out of range or the cursor is not one we issued
   */
  public Page<MemberSession> sessions(String roomId, int limit, String cursor) {
    checkLimit(limit);
    return call(
        "Listing sessions",
        withCursor(cursor, () -> ctx.stores().sessions().list(roomId, limit, cursor)));
  }

  /** Stores reject cursors they did not issue with IllegalArgumentException: the caller's fault. */
  private static <T> Supplier<Page<T>> withCursor(String cursor, Supplier<Page<T>> listing) {
    return () -> {
      try {
        return listing.get();
      } catch (IllegalArgumentException e) {
        throw new BadRequestException("cursor '" + cursor + "' is not valid here");
      }
    };
  }

  /**
   * How many members the room has, cluster-wide.
   *
   * @param roomId the room id
   * @return the count; 0 for an unknown room
   */
  public int memberCount(String roomId) {
    return call("Counting members", () -> ctx.stores().presence().count(roomId));
  }

  /**
   * Deletes the room with its members, timer and chat history; its members' sessions end with
   * reason {@code closed}, and {@code RoomClosed} (the members get {@code room.closed}) is
   * announced.
   *
   * @param id the room id
   * @throws NotFoundException if it does not exist
   */
  public void delete(String id) {
    ctx.lanes()
        .inLane(
            id,
            () -> {
              if (!call("Deleting room", () -> ctx.stores().rooms().delete(id))) {
                throw new NotFoundException("Room '" + id + "' does not exist");
              }
              Instant now = ctx.clock().instant();
              List<Member> members =
                  call("Deleting room", () -> ctx.stores().presence().removeRoom(id));
              for (Member m : members) {
                try {
                  ctx.stores().sessions().close(id, m.connectionId(), now, LeaveReason.CLOSED);
                } catch (RuntimeException e) {
                  log.warn("Recording the end of a session in room '{}' failed", id, e);
                }
              }
              call(
                  "Deleting timer",
                  () -> {
                    ctx.stores().timers().delete(id);
                    return null;
                  });
              call("Deleting chat history", () -> ctx.stores().messages().deleteRoom(id));
              ctx.events().publish(new RoomClosed(id, members, now));
              return null;
            });
  }

  private Room toRoom(RoomSpec spec) {
    String id = spec.id() == null ? Ids.random("r_", 9) : requireValidId(spec.id());
    int capacity = spec.capacity() == null ? ctx.config().defaultRoomCapacity() : spec.capacity();
    if (capacity < 0) {
      throw new BadRequestException("Room capacity must be 0 (no limit) or more, was " + capacity);
    }
    String name = spec.name() == null || spec.name().isBlank() ? id : spec.name();
    if (name.length() > 200) {
      throw new BadRequestException("Room name is longer than 200 characters");
    }
    return new Room(
        id,
        name,
        capacity,
        Boolean.TRUE.equals(spec.isPrivate()),
        spec.timerControl() == null ? TimerControl.ANYONE : spec.timerControl(),
        spec.ownerId(),
        spec.metaJson() == null ? "{}" : spec.metaJson(),
        ctx.clock().instant());
  }

  private static int checkLimit(int limit) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new BadRequestException("limit must be 1 to " + MAX_PAGE + ", was " + limit);
    }
    return limit;
  }
}

package dev.flowsync.core.room;

import dev.flowsync.core.Page;
import java.util.Optional;

/**
 * Stores room metadata. Implementations are thread-safe; a shared implementation (SQL) makes {@link
 * #create} atomic across nodes.
 */
public interface RoomStore {

  /**
   * Stores a new room.
   *
   * @return true if stored, false if a room with that id already exists (nothing changed)
   */
  boolean create(Room room);

  /** The room with this id, if any. */
  Optional<Room> find(String id);

  /**
   * Rooms ordered by id.
   *
   * @param limit at most this many items, 1 or more
   * @param cursor null for the first page, else a {@link Page#nextCursor()} of this store
   */
  Page<Room> list(int limit, String cursor);

  /** Deletes the room; returns false if it did not exist. */
  boolean delete(String id);
}

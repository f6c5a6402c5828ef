package dev.flowsync.core.room;

import dev.flowsync.core.Page;
import java.util.Optional;

/**
 * Stores room metadata. Implementations are thread-safe; a shared implementation (SQL) makes {@link
 * #create} atomic across nodes. No argument is ever null except a first page's cursor. The contract
 * kit ({@code RoomStoreContract} in {@code flowsync-store-tck}) is the executable form of this
 * specification.
 */
public interface RoomStore {

  /**
   * Stores a new room, atomically with the check that its id is free.
   *
   * @param room the room
   * @return true if stored, false if a room with that id already exists (nothing changed)
   */
  boolean create(Room room);

  /**
   * The room with this id.
   *
   * @param id the room id
   * @return the room exactly as created, or empty
   */
  Optional<Room> find(String id);

  /**
   * Rooms ordered by id (by UTF-16 code unit, as {@link String#compareTo}). A cursor names a
   * position, not an offset: rooms created or deleted between pages never make a page repeat or
   * skip a room that exists throughout.
   *
   * @param limit at most this many items, 1 or more
   * @param cursor null for the first page, else a {@link Page#nextCursor()} of this store
   * @return the page; its next cursor is null when no room follows (also when the page is full)
   * @throws IllegalArgumentException if the cursor was not issued by this store
   */
  Page<Room> list(int limit, String cursor);

  /**
   * Deletes the room.
   *
   * @param id the room id
   * @return true if it existed
   */
  boolean delete(String id);
}

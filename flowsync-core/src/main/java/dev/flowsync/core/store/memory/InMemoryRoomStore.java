package dev.flowsync.core.store.memory;

import dev.flowsync.core.Page;
import dev.flowsync.core.room.Room;
import dev.flowsync.core.room.RoomStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** Rooms in a sorted concurrent map; the cursor is the last id of the previous page. */
public final class InMemoryRoomStore implements RoomStore {
  private final ConcurrentNavigableMap<String, Room> rooms = new ConcurrentSkipListMap<>();

  @Override
  public boolean create(Room room) {
    return rooms.putIfAbsent(room.id(), room) == null;
  }

  @Override
  public Optional<Room> find(String id) {
    return Optional.ofNullable(rooms.get(id));
  }

  @Override
  public Page<Room> list(int limit, String cursor) {
    Map<String, Room> tail = cursor == null ? rooms : rooms.tailMap(cursor, false);
    List<Room> items = new ArrayList<>(limit);
    for (Room room : tail.values()) {
      if (items.size() == limit) {
        return new Page<>(items, items.get(items.size() - 1).id());
      }
      items.add(room);
    }
    return new Page<>(items, null);
  }

  @Override
  public boolean delete(String id) {
    return rooms.remove(id) != null;
  }
}

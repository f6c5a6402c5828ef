package dev.flowsync.core.room;

import java.time.Instant;
import java.util.Objects;

/**
 * A room's metadata. Members, timer and chat live in their own stores.
 *
 * @param id the room id, 1 to 64 characters
 * @param name a display name; never null (defaults to the id)
 * @param capacity the most members the room admits at once, cluster-wide; 0 means no limit
 * @param isPrivate whether joining needs the room in the token's grants
 * @param timerControl who may control the shared timer
 * @param ownerId the user that owns the room (its creator on auto-create), or null
 * @param metaJson a free JSON object kept for the application, as JSON text; never null
 * @param createdAt when the room was created
 */
public record Room(
    String id,
    String name,
    int capacity,
    boolean isPrivate,
    TimerControl timerControl,
    String ownerId,
    String metaJson,
    Instant createdAt) {

  /**
   * Checks the fields.
   *
   * @throws NullPointerException if a field other than {@code ownerId} is null
   * @throws IllegalArgumentException if {@code capacity} is negative
   */
  public Room {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(timerControl, "timerControl");
    Objects.requireNonNull(metaJson, "metaJson");
    Objects.requireNonNull(createdAt, "createdAt");
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must be >= 0, was " + capacity);
    }
  }

  /** Whether the room limits its member count. */
  public boolean hasCapacityLimit() {
    return capacity > 0;
  }
}

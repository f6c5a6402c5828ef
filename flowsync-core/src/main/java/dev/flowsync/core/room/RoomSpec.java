package dev.flowsync.core.room;

/**
 * What a caller asks for when creating a room. Null fields take the engine's defaults.
 *
 * @param id the wanted id, or null to have one generated
 * @param name display name, or null for the id
 * @param capacity most members at once, 0 for no limit, or null for the configured default
 * @param isPrivate null means public
 * @param timerControl null means {@link TimerControl#ANYONE}
 * @param ownerId the owning user, or null
 * @param metaJson a JSON object as text, or null for {@code {}}
 */
public record RoomSpec(
    String id,
    String name,
    Integer capacity,
    Boolean isPrivate,
    TimerControl timerControl,
    String ownerId,
    String metaJson) {

  /** A spec with only the id set; everything else defaults. */
  public static RoomSpec of(String id) {
    return new RoomSpec(id, null, null, null, null, null, null);
  }
}

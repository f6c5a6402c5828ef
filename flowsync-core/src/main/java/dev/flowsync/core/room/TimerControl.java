package dev.flowsync.core.room;

/** Who may start, pause, resume, reset and skip a room's shared timer. */
public enum TimerControl {
  /** Every member of the room. */
  ANYONE("anyone"),
  /** Only the room's owner ({@link Room#ownerId()}). */
  OWNER("owner");

  private final String wireName;

  TimerControl(String wireName) {
    this.wireName = wireName;
  }

  /** The value as it appears in JSON: {@code anyone} or {@code owner}. */
  public String wireName() {
    return wireName;
  }

  /** Parses {@code anyone} / {@code owner}; returns null for anything else. */
  public static TimerControl fromWireName(String value) {
    for (TimerControl c : values()) {
      if (c.wireName.equals(value)) {
        return c;
      }
    }
    return null;
  }
}

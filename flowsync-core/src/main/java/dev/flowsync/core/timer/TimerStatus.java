package dev.flowsync.core.timer;

/** The lifecycle of a room's timer. */
public enum TimerStatus {
  /** Not started, or reset. */
  IDLE("idle"),
  /** Counting down to {@code endsAt}. */
  RUNNING("running"),
  /** Stopped with {@code remainingMs} frozen. */
  PAUSED("paused"),
  /** The last phase of a timer that does not repeat has ended. */
  FINISHED("finished");

  private final String wireName;

  TimerStatus(String wireName) {
    this.wireName = wireName;
  }

  /**
   * The status as it appears on the wire.
   *
   * @return e.g. {@code running}
   */
  public String wireName() {
    return wireName;
  }
}

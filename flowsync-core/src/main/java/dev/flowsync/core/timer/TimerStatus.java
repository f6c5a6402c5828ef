package dev.flowsync.core.timer;

/** The lifecycle of a room's timer. */
public enum TimerStatus {
  IDLE("idle"),
  RUNNING("running"),
  PAUSED("paused"),
  FINISHED("finished");

  private final String wireName;

  TimerStatus(String wireName) {
    this.wireName = wireName;
  }

  /** The status as it appears on the wire. */
  public String wireName() {
    return wireName;
  }
}

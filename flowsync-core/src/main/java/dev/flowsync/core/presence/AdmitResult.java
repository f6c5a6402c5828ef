package dev.flowsync.core.presence;

/** The outcome of {@link PresenceStore#admit}. */
public enum AdmitResult {
  /** The member was added. */
  ADMITTED,
  /** The connection already was a member; nothing changed. */
  ALREADY_MEMBER,
  /** The room is at capacity; nothing changed. */
  FULL
}

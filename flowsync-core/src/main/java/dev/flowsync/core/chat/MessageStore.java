package dev.flowsync.core.chat;

import java.time.Instant;
import java.util.List;

/**
 * Persists chat. {@link #append} allocates the room's next {@code seq} atomically (no gaps, no
 * duplicates, also when several nodes write to one room) and is idempotent by (room, userId,
 * clientMsgId). A successful return means the message is durable in this store.
 */
public interface MessageStore {

  /** Stores the message at the room's next seq, or returns the earlier one with the same key. */
  AppendResult append(NewMessage message);

  /**
   * Up to {@code limit} messages with seq below {@code beforeSeq}: the newest of them, in ascending
   * seq.
   */
  List<ChatMessage> before(String room, long beforeSeq, int limit);

  /**
   * Up to {@code limit} messages with seq above {@code afterSeq}: the oldest of them, ascending.
   */
  List<ChatMessage> after(String room, long afterSeq, int limit);

  /** The highest seq stored in the room; 0 for none. */
  long lastSeq(String room);

  /** Deletes every message of the room; returns how many. */
  int deleteRoom(String room);

  /** Retention: deletes messages sent before {@code cutoff}; returns how many. */
  int deleteSentBefore(Instant cutoff);
}

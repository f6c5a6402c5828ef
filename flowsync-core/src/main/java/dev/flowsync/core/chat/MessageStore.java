package dev.flowsync.core.chat;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Persists chat. {@link #append} allocates the room's next {@code seq} atomically (no gaps, no
 * duplicates, also when several nodes write to one room) and is idempotent by (room, userId,
 * clientMsgId). A successful return means the message is durable in this store.
 *
 * <p>A seq is never handed out twice in a room: retention deletes messages but never lowers the
 * room's last seq. Only {@link #deleteRoom} starts a room over at 1 (it is a new room then). No
 * argument is ever null except where noted. The contract kit ({@code MessageStoreContract} in
 * {@code flowsync-store-tck}) is the executable form of this specification.
 */
public interface MessageStore {

  /**
   * Stores the message at the room's next seq, or returns the message stored earlier under the same
   * (room, userId, clientMsgId). A message whose clientMsgId is null is always stored.
   *
   * @param message the message to store
   * @return the stored message, with {@code duplicate} true when it is the earlier one
   */
  AppendResult append(NewMessage message);

  /**
   * Like {@link #append}, but without holding the caller's thread while the store works: the future
   * completes once the message is durable (exactly when {@code append} would have returned), or
   * fails with what {@code append} would have thrown.
   *
   * <p>Order: for one room, appends made one after another (the chat engine makes a room's appends
   * one at a time) get increasing seqs, and their futures complete in that order, one after the
   * other, so code chained to the futures sees a room's messages in seq order. A store that
   * completes futures from several threads must keep each room on one of them.
   *
   * <p>The default stores on the calling thread and returns a completed future; stores that batch
   * or wait on I/O (the SQL store's group commit) override it so that many appends can be in flight
   * without a thread each.
   *
   * @param message the message to store
   * @return completes with the stored message (see {@link #append}) once it is durable
   */
  default CompletableFuture<AppendResult> appendAsync(NewMessage message) {
    try {
      return CompletableFuture.completedFuture(append(message));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Messages below a seq: the newest {@code limit} of them, returned in ascending seq.
   *
   * @param room the room id
   * @param beforeSeq exclusive upper bound; {@code Long.MAX_VALUE} for the newest messages
   * @param limit the most messages to return, 1 or more (engines ask for one more than they show)
   * @return up to {@code limit} messages in ascending seq; empty if none
   */
  List<ChatMessage> before(String room, long beforeSeq, int limit);

  /**
   * Messages above a seq: the oldest {@code limit} of them, in ascending seq.
   *
   * @param room the room id
   * @param afterSeq exclusive lower bound; 0 for the first messages
   * @param limit the most messages to return, 1 or more
   * @return up to {@code limit} messages in ascending seq; empty if none
   */
  List<ChatMessage> after(String room, long afterSeq, int limit);

  /**
   * The room's last seq.
   *
   * @param room the room id
   * @return the highest seq ever stored in the room (also if retention deleted it); 0 for none
   */
  long lastSeq(String room);

  /**
   * Deletes every message of the room and forgets its seq and clientMsgIds.
   *
   * @param room the room id
   * @return how many messages were deleted
   */
  int deleteRoom(String room);

  /**
   * Retention: deletes messages sent strictly before {@code cutoff}, in every room.
   *
   * @param cutoff messages with {@code sentAt} before this are deleted
   * @return how many messages were deleted
   */
  int deleteSentBefore(Instant cutoff);
}

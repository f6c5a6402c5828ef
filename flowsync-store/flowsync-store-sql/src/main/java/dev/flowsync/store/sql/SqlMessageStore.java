package dev.flowsync.store.sql;

import static dev.flowsync.store.sql.internal.jooq.Tables.FS_MESSAGES;
import static dev.flowsync.store.sql.internal.jooq.Tables.FS_ROOM_SEQ;
import static org.jooq.impl.DSL.row;
import static org.jooq.impl.DSL.select;

import dev.flowsync.core.chat.AppendResult;
import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.core.chat.MessageStore;
import dev.flowsync.core.chat.NewMessage;
import dev.flowsync.core.store.StoreHealth;
import dev.flowsync.store.sql.internal.AppendCommitter;
import dev.flowsync.store.sql.internal.Rows;
import dev.flowsync.store.sql.internal.SqlDb;
import dev.flowsync.store.sql.internal.SqlHealth;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Chat in table {@code fs_messages}, with the per-room seq counter in {@code fs_room_seq}.
 *
 * <p>{@link #append} goes through a group committer: concurrent appends share one transaction, and
 * each returns only after that transaction has committed ({@link #appendAsync}: its future
 * completes then). The seq counter row of the room is locked in that same transaction, so seq is
 * 1..N without gaps or repeats across every node writing to the database; the unique key (room,
 * user_id, client_msg_id) makes a repeated send return the stored message. Failures throw {@link
 * dev.flowsync.core.FlowSyncException.UnavailableException}; a message whose append failed is not
 * acknowledged, and a client that retries it with the same clientMsgId gets it exactly once.
 */
public final class SqlMessageStore implements MessageStore, StoreHealth {
  private final SqlDb db;
  private final SqlHealth health;
  private final AppendCommitter committer;

  SqlMessageStore(SqlDb db, AppendCommitter committer, SqlHealth health) {
    this.db = db;
    this.health = health;
    this.committer = committer;
  }

  @Override
  public AppendResult append(NewMessage message) {
    return committer.append(message);
  }

  /**
   * Queues the message for the group committer and returns at once; the future completes on the
   * writer's thread right after the COMMIT that stored it, a room's appends in seq order.
   */
  @Override
  public CompletableFuture<AppendResult> appendAsync(NewMessage message) {
    return committer.appendAsync(message);
  }

  @Override
  public List<ChatMessage> before(String room, long beforeSeq, int limit) {
    List<ChatMessage> newestFirst =
        db.run(
            "Reading history of room '" + room + "'",
            dsl ->
                dsl.selectFrom(FS_MESSAGES)
                    .where(FS_MESSAGES.ROOM.eq(room), FS_MESSAGES.SEQ.lt(beforeSeq))
                    .orderBy(FS_MESSAGES.SEQ.desc())
                    .limit(limit)
                    .fetch(Rows::message));
    List<ChatMessage> ascending = new ArrayList<>(newestFirst);
    Collections.reverse(ascending);
    return ascending;
  }

  @Override
  public List<ChatMessage> after(String room, long afterSeq, int limit) {
    return db.run(
        "Reading history of room '" + room + "'",
        dsl ->
            dsl.selectFrom(FS_MESSAGES)
                .where(FS_MESSAGES.ROOM.eq(room), FS_MESSAGES.SEQ.gt(afterSeq))
                .orderBy(FS_MESSAGES.SEQ)
                .limit(limit)
                .fetch(Rows::message));
  }

  @Override
  public long lastSeq(String room) {
    Long last =
        db.run(
            "Reading the last seq of room '" + room + "'",
            dsl ->
                dsl.select(FS_ROOM_SEQ.LAST_SEQ)
                    .from(FS_ROOM_SEQ)
                    .where(FS_ROOM_SEQ.ROOM.eq(room))
                    .fetchOne(FS_ROOM_SEQ.LAST_SEQ));
    return last == null ? 0 : last;
  }

  @Override
  public int deleteRoom(String room) {
    return db.transaction(
        "Deleting the chat of room '" + room + "'",
        dsl -> {
          // Lock the counter first, as appends do, so an append in flight finishes before or after.
          dsl.selectFrom(FS_ROOM_SEQ).where(FS_ROOM_SEQ.ROOM.eq(room)).forUpdate().fetch();
          int deleted = dsl.deleteFrom(FS_MESSAGES).where(FS_MESSAGES.ROOM.eq(room)).execute();
          dsl.deleteFrom(FS_ROOM_SEQ).where(FS_ROOM_SEQ.ROOM.eq(room)).execute();
          return deleted;
        });
  }

  /**
   * Deletes messages sent before the cutoff, chunk by chunk ({@link SqlDb#deleteInChunks}). The
   * rooms' seq counters keep counting.
   */
  @Override
  public int deleteSentBefore(Instant cutoff) {
    return db.deleteInChunks(
        "Deleting chat sent before " + cutoff,
        dsl ->
            dsl.deleteFrom(FS_MESSAGES)
                .where(
                    row(FS_MESSAGES.ROOM, FS_MESSAGES.SEQ)
                        .in(
                            select(FS_MESSAGES.ROOM, FS_MESSAGES.SEQ)
                                .from(FS_MESSAGES)
                                .where(FS_MESSAGES.SENT_AT.lt(cutoff))
                                .limit(SqlDb.DELETE_CHUNK)))
                .execute());
  }

  /** Transactions the group committer has committed (for benchmarks and metrics). */
  public long commitCount() {
    return committer.batches();
  }

  /** Messages those transactions carried; divided by {@link #commitCount()}: the mean batch. */
  public long committedMessageCount() {
    return committer.batchedMessages();
  }

  /** {@code sql}: the same answer for every store of one {@link SqlStores}. */
  @Override
  public String healthName() {
    return "sql";
  }

  /** Whether the database answered within a second (see {@link SqlStores#isHealthy()}). */
  @Override
  public boolean isHealthy() {
    return health.isHealthy();
  }
}

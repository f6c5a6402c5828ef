package dev.flowsync.core.chat;

import static dev.flowsync.core.internal.StoreCalls.call;

import dev.flowsync.core.FlowSyncException;
import dev.flowsync.core.FlowSyncException.BadRequestException;
import dev.flowsync.core.FlowSyncException.TooLargeException;
import dev.flowsync.core.FlowSyncException.UnavailableException;
import dev.flowsync.core.event.ChatMessagePosted;
import dev.flowsync.core.internal.EngineContext;
import dev.flowsync.core.internal.Ids;
import dev.flowsync.core.internal.StoreCalls;
import dev.flowsync.core.room.RoomEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Sends and reads chat. A send returns only after the store has the message, so a caller that
 * acknowledges on return never acknowledges a message that could be lost.
 */
public final class ChatEngine {
  /** The most messages one history request returns. */
  public static final int MAX_HISTORY = 200;

  private final EngineContext ctx;

  /** Created by {@code FlowSync}; applications obtain the engine from {@code FlowSync.chat()}. */
  public ChatEngine(EngineContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Stores a message at the room's next seq and announces it; a repeated {@code clientMsgId} from
   * the same user returns the earlier message and announces nothing. Returns only once the store
   * has the message, so acknowledging on return never acknowledges a message that could be lost.
   *
   * @param roomId the room id
   * @param userId the sender
   * @param name the sender's display name
   * @param text 1 to the configured number of characters (code points, default 4000)
   * @param clientMsgId the sender's idempotency key (1 to 64 characters), or null
   * @return the stored message, and whether it was stored earlier
   * @throws BadRequestException empty text, an invalid room id or clientMsgId
   * @throws TooLargeException text over the configured length
   * @throws dev.flowsync.core.FlowSyncException.UnavailableException the store failed
   */
  public AppendResult send(
      String roomId, String userId, String name, String text, String clientMsgId) {
    try {
      return sendAsync(roomId, userId, name, text, clientMsgId).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /**
   * {@link #send} without holding the caller's thread until the store has the message: the future
   * completes once the message is durable and announced (so acknowledging on completion never
   * acknowledges a message that could be lost), or fails with the exception {@code send} would
   * throw. A room's messages are announced in seq order. Invalid input is refused at once, by
   * throwing.
   *
   * @param roomId the room id
   * @param userId the sender
   * @param name the sender's display name
   * @param text 1 to the configured number of characters (code points, default 4000)
   * @param clientMsgId the sender's idempotency key (1 to 64 characters), or null
   * @return completes with the stored message, and whether it was stored earlier; fails with {@link
   *     dev.flowsync.core.FlowSyncException.UnavailableException} when the store failed
   * @throws BadRequestException empty text, an invalid room id or clientMsgId
   * @throws TooLargeException text over the configured length
   */
  public CompletableFuture<AppendResult> sendAsync(
      String roomId, String userId, String name, String text, String clientMsgId) {
    if (text == null || text.isEmpty()) {
      throw new BadRequestException("Chat text must not be empty");
    }
    int length = text.codePointCount(0, text.length());
    if (length > ctx.config().maxTextLength()) {
      throw new TooLargeException(
          "Chat text is " + length + " characters; the limit is " + ctx.config().maxTextLength());
    }
    if (clientMsgId != null && (clientMsgId.isEmpty() || clientMsgId.length() > 64)) {
      throw new BadRequestException("clientMsgId must be 1 to 64 characters");
    }
    RoomEngine.requireValidId(roomId);
    // Hand the append to the store in the room's lane, and chain the announcement to it there:
    // the store completes a room's appends in seq order, so announcements come out in seq order
    // too (an announcement chained after its append already completed runs here, in the lane,
    // before the room's next append is even made).
    return ctx.lanes()
        .inLane(
            roomId,
            () -> {
              NewMessage message =
                  new NewMessage(
                      Ids.random("m_", 12),
                      roomId,
                      userId,
                      name,
                      text,
                      ctx.clock().instant(),
                      clientMsgId);
              CompletableFuture<AppendResult> stored;
              try {
                stored = ctx.stores().messages().appendAsync(message);
              } catch (RuntimeException e) {
                stored = CompletableFuture.failedFuture(e);
              }
              return stored.handle(
                  (result, failure) -> {
                    if (failure != null) {
                      throw asStoreFailure(failure);
                    }
                    if (!result.duplicate()) {
                      ctx.events()
                          .publish(new ChatMessagePosted(result.message(), ctx.clock().instant()));
                    }
                    return result;
                  });
            });
  }

  /** What {@link StoreCalls#call} would have thrown for the same failure. */
  private static RuntimeException asStoreFailure(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof FlowSyncException f) {
      return f;
    }
    return new UnavailableException("Storing chat message failed: store unavailable", cause);
  }

  /**
   * Messages before a seq, newest end first picked, returned in ascending seq.
   *
   * @param roomId the room id
   * @param beforeSeq exclusive upper bound, or null for the newest messages
   * @param limit 1 to 200
   * @return up to {@code limit} messages; {@code hasMore} is true exactly when older ones exist
   * @throws BadRequestException if the limit is out of range
   */
  public HistoryPage before(String roomId, Long beforeSeq, int limit) {
    checkLimit(limit);
    long before = beforeSeq == null ? Long.MAX_VALUE : beforeSeq;
    List<ChatMessage> found =
        call("Reading history", () -> ctx.stores().messages().before(roomId, before, limit + 1));
    boolean hasMore = found.size() > limit;
    return new HistoryPage(hasMore ? found.subList(1, found.size()) : found, hasMore);
  }

  /**
   * Messages after a seq, oldest first.
   *
   * @param roomId the room id
   * @param afterSeq exclusive lower bound; 0 for the first messages
   * @param limit 1 to 200
   * @return up to {@code limit} messages; {@code hasMore} is true exactly when newer ones exist
   * @throws BadRequestException if the limit is out of range
   */
  public HistoryPage after(String roomId, long afterSeq, int limit) {
    checkLimit(limit);
    List<ChatMessage> found =
        call("Reading history", () -> ctx.stores().messages().after(roomId, afterSeq, limit + 1));
    boolean hasMore = found.size() > limit;
    return new HistoryPage(hasMore ? found.subList(0, limit) : found, hasMore);
  }

  /**
   * The newest messages, as many as the configured history limit, for {@code joined}.
   *
   * @param roomId the room id
   * @return messages in ascending seq
   */
  public List<ChatMessage> recent(String roomId) {
    int n = ctx.config().historyLimit();
    return n == 0 ? List.of() : before(roomId, null, Math.min(n, MAX_HISTORY)).messages();
  }

  /**
   * What a resuming client missed: every message after {@code afterSeq}, or only the newest
   * (history limit) if it missed more; it can page back with {@code chat.history}.
   *
   * @param roomId the room id
   * @param afterSeq the last seq the client has
   * @return messages in ascending seq
   */
  public List<ChatMessage> missedSince(String roomId, long afterSeq) {
    List<ChatMessage> all = new ArrayList<>();
    HistoryPage page = after(roomId, afterSeq, MAX_HISTORY);
    all.addAll(page.messages());
    // A client gone for a long time gets the newest ones; it can page back with chat.history.
    return all.size() > ctx.config().historyLimit() && ctx.config().historyLimit() > 0
        ? recent(roomId)
        : all;
  }

  /**
   * The room's last seq.
   *
   * @param roomId the room id
   * @return the highest seq; 0 for a fresh room
   */
  public long lastSeq(String roomId) {
    return call("Reading history", () -> ctx.stores().messages().lastSeq(roomId));
  }

  private static void checkLimit(int limit) {
    if (limit < 1 || limit > MAX_HISTORY) {
      throw new BadRequestException("limit must be 1 to " + MAX_HISTORY + ", was " + limit);
    }
  }
}

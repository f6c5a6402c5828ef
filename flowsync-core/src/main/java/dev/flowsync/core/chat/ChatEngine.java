package dev.flowsync.core.chat;

import static dev.flowsync.core.internal.StoreCalls.call;

import dev.flowsync.core.FlowSyncException.BadRequestException;
import dev.flowsync.core.FlowSyncException.TooLargeException;
import dev.flowsync.core.event.ChatMessagePosted;
import dev.flowsync.core.internal.EngineContext;
import dev.flowsync.core.internal.Ids;
import dev.flowsync.core.room.RoomEngine;
import java.util.ArrayList;
import java.util.List;

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
   * Stores a message at the room's next seq and publishes it; a repeated {@code clientMsgId} from
   * the same user returns the earlier message and publishes nothing.
   *
   * @throws BadRequestException empty text, or a clientMsgId over 64 characters
   * @throws TooLargeException text over the configured length (default 4000)
   * @throws dev.flowsync.core.FlowSyncException.UnavailableException the store failed; nothing may
   *     be acknowledged
   */
  public AppendResult send(
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
    // Append and publish in the room's lane: otherwise two sends could publish seq 2 before seq 1.
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
              AppendResult result =
                  call("Storing chat message", () -> ctx.stores().messages().append(message));
              if (!result.duplicate()) {
                ctx.events()
                    .publish(new ChatMessagePosted(result.message(), ctx.clock().instant()));
              }
              return result;
            });
  }

  /** Up to {@code limit} messages before {@code beforeSeq} (null: the newest ones). */
  public HistoryPage before(String roomId, Long beforeSeq, int limit) {
    checkLimit(limit);
    long before = beforeSeq == null ? Long.MAX_VALUE : beforeSeq;
    List<ChatMessage> found =
        call("Reading history", () -> ctx.stores().messages().before(roomId, before, limit + 1));
    boolean hasMore = found.size() > limit;
    return new HistoryPage(hasMore ? found.subList(1, found.size()) : found, hasMore);
  }

  /** Up to {@code limit} messages after {@code afterSeq}, oldest first. */
  public HistoryPage after(String roomId, long afterSeq, int limit) {
    checkLimit(limit);
    List<ChatMessage> found =
        call("Reading history", () -> ctx.stores().messages().after(roomId, afterSeq, limit + 1));
    boolean hasMore = found.size() > limit;
    return new HistoryPage(hasMore ? found.subList(0, limit) : found, hasMore);
  }

  /** The last N messages (N = the configured history limit), for {@code joined}. */
  public List<ChatMessage> recent(String roomId) {
    int n = ctx.config().historyLimit();
    return n == 0 ? List.of() : before(roomId, null, Math.min(n, MAX_HISTORY)).messages();
  }

  /**
   * Every message after {@code afterSeq}, up to the history limit: what a resuming client missed.
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

  /** The highest seq in the room; 0 for a fresh room. */
  public long lastSeq(String roomId) {
    return call("Reading history", () -> ctx.stores().messages().lastSeq(roomId));
  }

  private static void checkLimit(int limit) {
    if (limit < 1 || limit > MAX_HISTORY) {
      throw new BadRequestException("limit must be 1 to " + MAX_HISTORY + ", was " + limit);
    }
  }
}

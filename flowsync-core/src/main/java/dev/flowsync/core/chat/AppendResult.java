package dev.flowsync.core.chat;

/**
 * The outcome of {@link MessageStore#append}.
 *
 * @param message the stored message: the new one, or the one stored earlier under the same (room,
 *     userId, clientMsgId)
 * @param duplicate true when nothing new was stored because of that earlier message
 */
public record AppendResult(ChatMessage message, boolean duplicate) {}

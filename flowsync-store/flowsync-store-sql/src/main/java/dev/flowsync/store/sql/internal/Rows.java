package dev.flowsync.store.sql.internal;

import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.store.sql.internal.jooq.tables.records.FsMessagesRecord;

/** Maps generated records to the core's value types. */
public final class Rows {
  private Rows() {}

  /** The chat message stored in this row. */
  public static ChatMessage message(FsMessagesRecord r) {
    return new ChatMessage(
        r.getId(),
        r.getSeq(),
        r.getRoom(),
        r.getUserId(),
        r.getName(),
        r.getText(),
        r.getSentAt(),
        r.getClientMsgId());
  }
}

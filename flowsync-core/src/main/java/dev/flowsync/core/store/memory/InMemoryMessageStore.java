package dev.flowsync.core.store.memory;

import dev.flowsync.core.chat.AppendResult;
import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.core.chat.MessageStore;
import dev.flowsync.core.chat.NewMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chat per room in an append-only list guarded by the room's own lock, so rooms never contend with
 * each other and seq is simply the list position plus one.
 */
public final class InMemoryMessageStore implements MessageStore {
  private final ConcurrentHashMap<String, RoomLog> logs = new ConcurrentHashMap<>();

  private static final class RoomLog {
    final List<ChatMessage> messages = new ArrayList<>();
    final Map<String, ChatMessage> byClientKey = new HashMap<>();
    long firstSeq = 1; // retention drops a prefix; seq keeps counting

    long lastSeq() {
      return firstSeq + messages.size() - 1;
    }
  }

  private RoomLog log(String room) {
    return logs.computeIfAbsent(room, r -> new RoomLog());
  }

  @Override
  public AppendResult append(NewMessage message) {
    RoomLog log = log(message.room());
    synchronized (log) {
      String key =
          message.clientMsgId() == null
              ? null
              : message.userId() + "\u0000" + message.clientMsgId();
      if (key != null) {
        ChatMessage earlier = log.byClientKey.get(key);
        if (earlier != null) {
          return new AppendResult(earlier, true);
        }
      }
      ChatMessage stored = message.withSeq(log.lastSeq() + 1);
      log.messages.add(stored);
      if (key != null) {
        log.byClientKey.put(key, stored);
      }
      return new AppendResult(stored, false);
    }
  }

  @Override
  public List<ChatMessage> before(String room, long beforeSeq, int limit) {
    RoomLog log = logs.get(room);
    if (log == null) {
      return List.of();
    }
    synchronized (log) {
      int end = (int) Math.min(log.messages.size(), Math.max(0, beforeSeq - log.firstSeq));
      int start = Math.max(0, end - limit);
      return List.copyOf(log.messages.subList(start, end));
    }
  }

  @Override
  public List<ChatMessage> after(String room, long afterSeq, int limit) {
    RoomLog log = logs.get(room);
    if (log == null) {
      return List.of();
    }
    synchronized (log) {
      int start = (int) Math.min(log.messages.size(), Math.max(0, afterSeq + 1 - log.firstSeq));
      int end = Math.min(log.messages.size(), start + limit);
      return List.copyOf(log.messages.subList(start, end));
    }
  }

  @Override
  public long lastSeq(String room) {
    RoomLog log = logs.get(room);
    if (log == null) {
      return 0;
    }
    synchronized (log) {
      return log.lastSeq();
    }
  }

  @Override
  public int deleteRoom(String room) {
    RoomLog log = logs.remove(room);
    if (log == null) {
      return 0;
    }
    synchronized (log) {
      return log.messages.size();
    }
  }

  @Override
  public int deleteSentBefore(Instant cutoff) {
    int deleted = 0;
    for (RoomLog log : logs.values()) {
      synchronized (log) {
        int n = 0;
        while (n < log.messages.size() && log.messages.get(n).sentAt().isBefore(cutoff)) {
          n++;
        }
        for (ChatMessage m : log.messages.subList(0, n)) {
          if (m.clientMsgId() != null) {
            log.byClientKey.remove(m.userId() + "\u0000" + m.clientMsgId());
          }
        }
        log.messages.subList(0, n).clear();
        log.firstSeq += n;
        deleted += n;
      }
    }
    return deleted;
  }
}

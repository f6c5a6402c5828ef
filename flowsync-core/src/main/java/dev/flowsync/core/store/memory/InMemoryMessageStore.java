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
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chat per room in a seq-ordered map guarded by the room's own lock, so rooms never contend with
 * each other. The room's seq counter lives apart from the messages: retention may delete any
 * message, and a seq is still never handed out twice.
 */
public final class InMemoryMessageStore implements MessageStore {
  private final ConcurrentHashMap<String, RoomLog> logs = new ConcurrentHashMap<>();

  private static final class RoomLog {
    final NavigableMap<Long, ChatMessage> bySeq = new TreeMap<>();
    final Map<String, ChatMessage> byClientKey = new HashMap<>();
    long lastSeq;
  }

  private static String clientKey(String userId, String clientMsgId) {
    return clientMsgId == null ? null : userId + "\u0000" + clientMsgId;
  }

  @Override
  public AppendResult append(NewMessage message) {
    while (true) {
      RoomLog log = logs.computeIfAbsent(message.room(), r -> new RoomLog());
      synchronized (log) {
        if (logs.get(message.room()) != log) {
          continue; // the room was deleted while we waited: write to its fresh log instead
        }
        String key = clientKey(message.userId(), message.clientMsgId());
        ChatMessage earlier = key == null ? null : log.byClientKey.get(key);
        if (earlier != null) {
          return new AppendResult(earlier, true);
        }
        ChatMessage stored = message.withSeq(++log.lastSeq);
        log.bySeq.put(stored.seq(), stored);
        if (key != null) {
          log.byClientKey.put(key, stored);
        }
        return new AppendResult(stored, false);
      }
    }
  }

  @Override
  public List<ChatMessage> before(String room, long beforeSeq, int limit) {
    RoomLog log = logs.get(room);
    if (log == null) {
      return List.of();
    }
    synchronized (log) {
      List<ChatMessage> newestFirst = new ArrayList<>(Math.min(limit, log.bySeq.size()));
      for (ChatMessage m : log.bySeq.headMap(beforeSeq, false).descendingMap().values()) {
        if (newestFirst.size() == limit) {
          break;
        }
        newestFirst.add(m);
      }
      List<ChatMessage> ascending = new ArrayList<>(newestFirst.size());
      for (int i = newestFirst.size() - 1; i >= 0; i--) {
        ascending.add(newestFirst.get(i));
      }
      return ascending;
    }
  }

  @Override
  public List<ChatMessage> after(String room, long afterSeq, int limit) {
    RoomLog log = logs.get(room);
    if (log == null) {
      return List.of();
    }
    synchronized (log) {
      List<ChatMessage> result = new ArrayList<>(Math.min(limit, log.bySeq.size()));
      for (ChatMessage m : log.bySeq.tailMap(afterSeq, false).values()) {
        if (result.size() == limit) {
          break;
        }
        result.add(m);
      }
      return result;
    }
  }

  @Override
  public long lastSeq(String room) {
    RoomLog log = logs.get(room);
    if (log == null) {
      return 0;
    }
    synchronized (log) {
      return log.lastSeq;
    }
  }

  @Override
  public int deleteRoom(String room) {
    RoomLog log = logs.remove(room);
    if (log == null) {
      return 0;
    }
    synchronized (log) {
      return log.bySeq.size();
    }
  }

  @Override
  public int deleteSentBefore(Instant cutoff) {
    int deleted = 0;
    for (RoomLog log : logs.values()) {
      synchronized (log) {
        var it = log.bySeq.values().iterator();
        while (it.hasNext()) {
          ChatMessage m = it.next();
          if (m.sentAt().isBefore(cutoff)) {
            it.remove();
            String key = clientKey(m.userId(), m.clientMsgId());
            if (key != null) {
              log.byClientKey.remove(key);
            }
            deleted++;
          }
        }
      }
    }
    return deleted;
  }
}

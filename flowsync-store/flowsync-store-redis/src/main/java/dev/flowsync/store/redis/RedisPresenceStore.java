package dev.flowsync.store.redis;

import dev.flowsync.core.presence.AdmitResult;
import dev.flowsync.core.presence.Member;
import dev.flowsync.core.presence.PresenceStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;

/**
 * Presence shared by every node through one Redis. Layout under the key prefix:
 *
 * <ul>
 *   <li>{@code presence:room:<room>} HASH connectionId → member record (count = {@code HLEN});
 *   <li>{@code presence:conn:<connectionId>} ZSET room → joinedAt: the rooms of a connection;
 *   <li>{@code presence:node:<nodeId>} SET of {@code room\nconnectionId}: what a node holds;
 *   <li>{@code presence:leases} ZSET nodeId → lease expiresAt (epoch ms).
 * </ul>
 *
 * <p>Every change that touches more than one key is one Lua script, so it is atomic for every node:
 * admission checks the count and adds in one step, and {@link #removeNode} pops each member from
 * the node's index exactly once even when two surviving nodes clean up the same dead node.
 *
 * <p>Liveness is judged only by the lease scores, which the engines compute from their clock;
 * presence keys carry no native TTL, because a TTL firing on one index but not on another would
 * leave members counted against capacity that nobody can find. A dead node's members stay until a
 * node (a surviving one, or the next one to start) calls {@link #expiredNodes} and {@link
 * #removeNode}.
 *
 * <p>The scripts build some key names from stored values, so this layout needs a single Redis
 * primary (optionally with replicas or Sentinel), not Redis Cluster.
 */
public final class RedisPresenceStore implements PresenceStore {
  private static final Comparator<Member> OLDEST_FIRST =
      Comparator.comparing(Member::joinedAt).thenComparing(Member::connectionId);
  private static final int REMOVE_NODE_BATCH = 500;

  // KEYS: room hash, connection zset, node set.
  // ARGV: connection field, member record, capacity, room (escaped), node entry, joinedAt score.
  private static final LuaScript ADMIT =
      new LuaScript(
          """
          if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 1 end
          local capacity = tonumber(ARGV[3])
          if capacity > 0 and redis.call('HLEN', KEYS[1]) >= capacity then return 2 end
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
          redis.call('ZADD', KEYS[2], ARGV[6], ARGV[4])
          redis.call('SADD', KEYS[3], ARGV[5])
          return 0
          """);

  // KEYS: room hash. ARGV: field, expected record, new record.
  private static final LuaScript REPLACE =
      new LuaScript(
          """
          if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
          return 1
          """);

  // KEYS: room hash, old node set, new node set. ARGV: field, expected record, new record, entry.
  private static final LuaScript MOVE =
      new LuaScript(
          """
          if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
          redis.call('SREM', KEYS[2], ARGV[4])
          redis.call('SADD', KEYS[3], ARGV[4])
          return 1
          """);

  // KEYS: room hash, connection zset. ARGV: field, room (escaped), node key prefix, node entry.
  private static final LuaScript REMOVE =
      new LuaScript(
          """
          local v = redis.call('HGET', KEYS[1], ARGV[1])
          if not v then return false end
          redis.call('HDEL', KEYS[1], ARGV[1])
          redis.call('ZREM', KEYS[2], ARGV[2])
          local node = string.sub(v, 1, string.find(v, '\\n', 1, true) - 1)
          redis.call('SREM', ARGV[3] .. node, ARGV[4])
          return v
          """);

  // KEYS: room hash. ARGV: room (escaped), connection key prefix, node key prefix.
  private static final LuaScript REMOVE_ROOM =
      new LuaScript(
          """
          local all = redis.call('HGETALL', KEYS[1])
          local out = {}
          for i = 1, #all, 2 do
            local conn, v = all[i], all[i + 1]
            redis.call('ZREM', ARGV[2] .. conn, ARGV[1])
            local node = string.sub(v, 1, string.find(v, '\\n', 1, true) - 1)
            redis.call('SREM', ARGV[3] .. node, ARGV[1] .. '\\n' .. conn)
            out[#out + 1] = v
          end
          redis.call('DEL', KEYS[1])
          return out
          """);

  // KEYS: node set, leases zset. ARGV: node (escaped), batch size, room key prefix,
  // connection key prefix. Returns {members left in the index, record...}. The lease goes only
  // with the last member, so a cleaner that dies half-way leaves the node listed as expired.
  private static final LuaScript REMOVE_NODE_BATCH_SCRIPT =
      new LuaScript(
          """
          local entries = redis.call('SPOP', KEYS[1], ARGV[2])
          local out = {0}
          for _, e in ipairs(entries) do
            local i = string.find(e, '\\n', 1, true)
            local room, conn = string.sub(e, 1, i - 1), string.sub(e, i + 1)
            local roomKey = ARGV[3] .. room
            local v = redis.call('HGET', roomKey, conn)
            if v and string.sub(v, 1, string.find(v, '\\n', 1, true) - 1) == ARGV[1] then
              redis.call('HDEL', roomKey, conn)
              redis.call('ZREM', ARGV[4] .. conn, room)
              out[#out + 1] = v
            end
          end
          local left = redis.call('SCARD', KEYS[1])
          if left == 0 then redis.call('ZREM', KEYS[2], ARGV[1]) end
          out[1] = left
          return out
          """);

  // KEYS: dead node set, leases zset, new node set. ARGV: dead node (escaped), batch size, room
  // key prefix, new node (escaped). Like the removal above, but each member's record gets the new
  // node and its entry moves to the new node's index. Returns {entries left, record...}.
  private static final LuaScript TAKE_OVER_BATCH_SCRIPT =
      new LuaScript(
          """
          local entries = redis.call('SPOP', KEYS[1], ARGV[2])
          local out = {0}
          for _, e in ipairs(entries) do
            local i = string.find(e, '\\n', 1, true)
            local room, conn = string.sub(e, 1, i - 1), string.sub(e, i + 1)
            local roomKey = ARGV[3] .. room
            local v = redis.call('HGET', roomKey, conn)
            if v then
              local j = string.find(v, '\\n', 1, true)
              if string.sub(v, 1, j - 1) == ARGV[1] then
                local held = ARGV[4] .. string.sub(v, j)
                redis.call('HSET', roomKey, conn, held)
                redis.call('SADD', KEYS[3], e)
                out[#out + 1] = held
              end
            end
          end
          local left = redis.call('SCARD', KEYS[1])
          if left == 0 then redis.call('ZREM', KEYS[2], ARGV[1]) end
          out[1] = left
          return out
          """);

  private final UnifiedJedis redis;
  private final Keys keys;

  /**
   * A presence store over the given connection.
   *
   * @param redis the commands connection (pooled); not closed by this store
   * @param keyPrefix prepended to every key, e.g. {@code flowsync:}
   */
  public RedisPresenceStore(UnifiedJedis redis, String keyPrefix) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.keys = new Keys(Objects.requireNonNull(keyPrefix, "keyPrefix"));
  }

  @Override
  public AdmitResult admit(Member member, int capacity) {
    Object r =
        ADMIT.run(
            redis,
            List.of(
                keys.room(member.room()),
                keys.connection(member.connectionId()),
                keys.node(member.nodeId())),
            List.of(
                Codec.esc(member.connectionId()),
                encode(member),
                Integer.toString(Math.max(capacity, 0)),
                Codec.esc(member.room()),
                Keys.nodeEntry(member.room(), member.connectionId()),
                Double.toString(Codec.score(member.joinedAt()))));
    return switch (((Long) r).intValue()) {
      case 0 -> AdmitResult.ADMITTED;
      case 1 -> AdmitResult.ALREADY_MEMBER;
      default -> AdmitResult.FULL;
    };
  }

  @Override
  public Optional<Member> updateState(String room, String connectionId, String stateJson) {
    Objects.requireNonNull(stateJson, "stateJson");
    String roomKey = keys.room(room);
    String field = Codec.esc(connectionId);
    while (true) {
      String current = redis.hget(roomKey, field);
      if (current == null) {
        return Optional.empty();
      }
      Member updated = decode(current).withState(stateJson);
      Object ok = REPLACE.run(redis, List.of(roomKey), List.of(field, current, encode(updated)));
      if ((Long) ok == 1L) {
        return Optional.of(updated);
      }
    }
  }

  @Override
  public Optional<Member> remove(String room, String connectionId) {
    Object r =
        REMOVE.run(
            redis,
            List.of(keys.room(room), keys.connection(connectionId)),
            List.of(
                Codec.esc(connectionId),
                Codec.esc(room),
                keys.nodePrefix(),
                Keys.nodeEntry(room, connectionId)));
    return r == null ? Optional.empty() : Optional.of(decode((String) r));
  }

  @Override
  public Optional<Member> find(String room, String connectionId) {
    String v = redis.hget(keys.room(room), Codec.esc(connectionId));
    return v == null ? Optional.empty() : Optional.of(decode(v));
  }

  @Override
  public List<Member> members(String room) {
    Map<String, String> all = redis.hgetAll(keys.room(room));
    List<Member> result = new ArrayList<>(all.size());
    for (String v : all.values()) {
      result.add(decode(v));
    }
    result.sort(OLDEST_FIRST);
    return result;
  }

  @Override
  public int count(String room) {
    return (int) redis.hlen(keys.room(room));
  }

  @Override
  public List<String> roomsOf(String connectionId) {
    List<String> rooms = redis.zrange(keys.connection(connectionId), 0, -1);
    List<String> result = new ArrayList<>(rooms.size());
    for (String r : rooms) {
      result.add(Codec.unesc(r));
    }
    return result;
  }

  @Override
  public List<Member> removeRoom(String room) {
    Object r =
        REMOVE_ROOM.run(
            redis,
            List.of(keys.room(room)),
            List.of(Codec.esc(room), keys.connectionPrefix(), keys.nodePrefix()));
    return decodeAll(asList(r), 0);
  }

  @Override
  public List<Member> transferConnection(String connectionId, String newNodeId) {
    Objects.requireNonNull(newNodeId, "newNodeId");
    String field = Codec.esc(connectionId);
    List<Member> moved = new ArrayList<>();
    for (String room : roomsOf(connectionId)) {
      String roomKey = keys.room(room);
      while (true) {
        String current = redis.hget(roomKey, field);
        if (current == null) {
          break;
        }
        Member member = decode(current);
        if (member.nodeId().equals(newNodeId)) {
          moved.add(member);
          break;
        }
        Member updated = member.withNode(newNodeId);
        Object ok =
            MOVE.run(
                redis,
                List.of(roomKey, keys.node(member.nodeId()), keys.node(newNodeId)),
                List.of(field, current, encode(updated), Keys.nodeEntry(room, connectionId)));
        if ((Long) ok == 1L) {
          moved.add(updated);
          break;
        }
      }
    }
    return moved;
  }

  @Override
  public void renewLease(String nodeId, Instant expiresAt) {
    redis.zadd(keys.leases(), Codec.score(expiresAt), Codec.esc(nodeId));
  }

  @Override
  public List<String> expiredNodes(Instant now) {
    List<String> nodes =
        redis.zrangeByScore(keys.leases(), Double.NEGATIVE_INFINITY, Codec.score(now));
    List<String> result = new ArrayList<>(nodes.size());
    for (String n : nodes) {
      result.add(Codec.unesc(n));
    }
    return result;
  }

  @Override
  public List<Member> removeNode(String nodeId) {
    List<Member> removed = new ArrayList<>();
    List<String> scriptKeys = List.of(keys.node(nodeId), keys.leases());
    List<String> args =
        List.of(
            Codec.esc(nodeId),
            Integer.toString(REMOVE_NODE_BATCH),
            keys.roomPrefix(),
            keys.connectionPrefix());
    long left;
    do {
      List<Object> batch = asList(REMOVE_NODE_BATCH_SCRIPT.run(redis, scriptKeys, args));
      left = (Long) batch.get(0);
      removed.addAll(decodeAll(batch, 1));
    } while (left > 0);
    removed.sort(OLDEST_FIRST);
    return removed;
  }

  @Override
  public List<Member> takeOverNode(String nodeId, String newNodeId) {
    Objects.requireNonNull(newNodeId, "newNodeId");
    List<Member> moved = new ArrayList<>();
    List<String> scriptKeys = List.of(keys.node(nodeId), keys.leases(), keys.node(newNodeId));
    List<String> args =
        List.of(
            Codec.esc(nodeId),
            Integer.toString(REMOVE_NODE_BATCH),
            keys.roomPrefix(),
            Codec.esc(newNodeId));
    long left;
    do {
      List<Object> batch = asList(TAKE_OVER_BATCH_SCRIPT.run(redis, scriptKeys, args));
      left = (Long) batch.get(0);
      moved.addAll(decodeAll(batch, 1));
    } while (left > 0);
    moved.sort(OLDEST_FIRST);
    return moved;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> asList(Object reply) {
    return (List<Object>) reply;
  }

  private static List<Member> decodeAll(List<Object> records, int from) {
    List<Member> result = new ArrayList<>(records.size());
    for (int i = from; i < records.size(); i++) {
      result.add(decode((String) records.get(i)));
    }
    result.sort(OLDEST_FIRST);
    return result;
  }

  // The node id comes first: the Lua scripts read it up to the first newline.
  static String encode(Member m) {
    return Codec.join(
        m.nodeId(),
        m.room(),
        m.connectionId(),
        m.userId(),
        m.name(),
        m.stateJson(),
        m.joinedAt().toString());
  }

  static Member decode(String record) {
    List<String> f = Codec.split(record);
    return new Member(
        f.get(1), f.get(2), f.get(3), f.get(4), f.get(5), Instant.parse(f.get(6)), f.get(0));
  }
}

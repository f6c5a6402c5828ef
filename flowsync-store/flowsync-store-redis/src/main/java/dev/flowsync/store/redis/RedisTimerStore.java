package dev.flowsync.store.redis;

import dev.flowsync.core.timer.Phase;
import dev.flowsync.core.timer.TimerState;
import dev.flowsync.core.timer.TimerStatus;
import dev.flowsync.core.timer.TimerStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;

/**
 * Timers in Redis: {@code timer:<room>} is a HASH with the version ({@code v}) and the timer record
 * ({@code s}); {@code timers:running} is the SET of rooms whose timer runs. {@link #compareAndSet}
 * is one Lua script that compares the stored version and writes state and index together, so of
 * several nodes racing to advance a phase exactly one wins.
 */
public final class RedisTimerStore implements TimerStore {

  // KEYS: timer hash, running set. ARGV: expected version, new version, record, running?, room.
  // Versions are compared as decimal strings: Lua numbers are doubles.
  private static final LuaScript CAS =
      new LuaScript(
          """
          local v = redis.call('HGET', KEYS[1], 'v') or '0'
          if v ~= ARGV[1] then return 0 end
          redis.call('HSET', KEYS[1], 'v', ARGV[2], 's', ARGV[3])
          if ARGV[4] == '1' then
            redis.call('SADD', KEYS[2], ARGV[5])
          else
            redis.call('SREM', KEYS[2], ARGV[5])
          end
          return 1
          """);

  // KEYS: timer hash, running set. ARGV: room.
  private static final LuaScript DELETE =
      new LuaScript(
          """
          redis.call('DEL', KEYS[1])
          redis.call('SREM', KEYS[2], ARGV[1])
          return 1
          """);

  // KEYS: running set. ARGV: timer key prefix. Returns room, record, room, record...
  private static final LuaScript RUNNING =
      new LuaScript(
          """
          local out = {}
          for _, room in ipairs(redis.call('SMEMBERS', KEYS[1])) do
            local s = redis.call('HGET', ARGV[1] .. room, 's')
            if s then
              out[#out + 1] = room
              out[#out + 1] = s
            end
          end
          return out
          """);

  private final UnifiedJedis redis;
  private final Keys keys;

  /**
   * A timer store over the given connection.
   *
   * @param redis the commands connection (pooled); not closed by this store
   * @param keyPrefix prepended to every key, e.g. {@code flowsync:}
   */
  public RedisTimerStore(UnifiedJedis redis, String keyPrefix) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.keys = new Keys(Objects.requireNonNull(keyPrefix, "keyPrefix"));
  }

  @Override
  public Optional<TimerState> find(String room) {
    String s = redis.hget(keys.timer(room), "s");
    return s == null ? Optional.empty() : Optional.of(decode(s));
  }

  @Override
  public boolean compareAndSet(String room, long expectedVersion, TimerState next) {
    Objects.requireNonNull(next, "next");
    Object r =
        CAS.run(
            redis,
            List.of(keys.timer(room), keys.runningTimers()),
            List.of(
                Long.toString(expectedVersion),
                Long.toString(next.version()),
                encode(next),
                next.status() == TimerStatus.RUNNING ? "1" : "0",
                Codec.esc(room)));
    return (Long) r == 1L;
  }

  @Override
  public void delete(String room) {
    DELETE.run(redis, List.of(keys.timer(room), keys.runningTimers()), List.of(Codec.esc(room)));
  }

  @Override
  public Map<String, TimerState> running() {
    @SuppressWarnings("unchecked")
    List<Object> flat =
        (List<Object>)
            RUNNING.run(redis, List.of(keys.runningTimers()), List.of(keys.timerPrefix()));
    Map<String, TimerState> result = new HashMap<>();
    for (int i = 0; i < flat.size(); i += 2) {
      result.put(Codec.unesc((String) flat.get(i)), decode((String) flat.get(i + 1)));
    }
    return result;
  }

  static String encode(TimerState t) {
    List<String> phases = new ArrayList<>(t.phases().size() * 2);
    for (Phase p : t.phases()) {
      phases.add(p.name());
      phases.add(Long.toString(p.durationMs()));
    }
    return Codec.join(
        t.status().name(),
        Codec.joinAll(phases),
        Integer.toString(t.phaseIndex()),
        Integer.toString(t.round()),
        Boolean.toString(t.repeat()),
        t.endsAt() == null ? null : t.endsAt().toString(),
        Long.toString(t.remainingMs()),
        Long.toString(t.version()),
        t.updatedBy());
  }

  static TimerState decode(String record) {
    List<String> f = Codec.split(record);
    List<String> flatPhases = Codec.splitAll(f.get(1));
    List<Phase> phases = new ArrayList<>(flatPhases.size() / 2);
    for (int i = 0; i < flatPhases.size(); i += 2) {
      phases.add(new Phase(flatPhases.get(i), Long.parseLong(flatPhases.get(i + 1))));
    }
    return new TimerState(
        TimerStatus.valueOf(f.get(0)),
        phases,
        Integer.parseInt(f.get(2)),
        Integer.parseInt(f.get(3)),
        Boolean.parseBoolean(f.get(4)),
        f.get(5) == null ? null : Instant.parse(f.get(5)),
        Long.parseLong(f.get(6)),
        Long.parseLong(f.get(7)),
        f.get(8));
  }
}

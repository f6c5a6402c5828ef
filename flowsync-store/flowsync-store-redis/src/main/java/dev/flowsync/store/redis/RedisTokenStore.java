package dev.flowsync.store.redis;

import dev.flowsync.core.auth.AccessToken;
import dev.flowsync.core.auth.TokenStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;

/**
 * Access tokens in Redis: {@code token:<id>} holds the token record and {@code tokens:expiry} is a
 * ZSET id → expiresAt (epoch ms) that {@link #deleteExpired} reads. The store is never given the
 * current time on save, so the native TTL is the token's lifetime ({@code expiresAt - issuedAt})
 * plus a margin: it only removes tokens nobody cleaned up, it never decides validity.
 */
public final class RedisTokenStore implements TokenStore {
  private static final int DELETE_BATCH = 1000;

  // KEYS: token key, expiry zset. ARGV: record, ttl ms, expiresAt score, token id (escaped).
  private static final LuaScript SAVE =
      new LuaScript(
          """
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
          return 1
          """);

  // KEYS: token key, expiry zset. ARGV: token id (escaped).
  private static final LuaScript DELETE =
      new LuaScript(
          """
          redis.call('ZREM', KEYS[2], ARGV[1])
          return redis.call('DEL', KEYS[1])
          """);

  // KEYS: expiry zset. ARGV: now score, batch size, token key prefix. Returns {deleted, more?}.
  private static final LuaScript DELETE_EXPIRED =
      new LuaScript(
          """
          local ids = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, ARGV[2])
          for _, id in ipairs(ids) do
            redis.call('DEL', ARGV[3] .. id)
            redis.call('ZREM', KEYS[1], id)
          end
          return {#ids, #ids == tonumber(ARGV[2]) and 1 or 0}
          """);

  private final UnifiedJedis redis;
  private final Keys keys;
  private final Duration ttlMargin;

  /**
   * A token store over the given connection.
   *
   * @param redis the commands connection (pooled); not closed by this store
   * @param keyPrefix prepended to every key, e.g. {@code flowsync:}
   * @param ttlMargin how long past its lifetime a token key lives at most if nobody deletes it
   */
  public RedisTokenStore(UnifiedJedis redis, String keyPrefix, Duration ttlMargin) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.keys = new Keys(Objects.requireNonNull(keyPrefix, "keyPrefix"));
    this.ttlMargin = Objects.requireNonNull(ttlMargin, "ttlMargin");
    if (ttlMargin.isNegative() || ttlMargin.isZero()) {
      throw new IllegalArgumentException("ttlMargin must be positive, was " + ttlMargin);
    }
  }

  @Override
  public void save(AccessToken token) {
    long lifetimeMs = Math.max(0, Duration.between(token.issuedAt(), token.expiresAt()).toMillis());
    long ttlMs = lifetimeMs + ttlMargin.toMillis();
    SAVE.run(
        redis,
        List.of(keys.token(token.tokenId()), keys.tokenExpiry()),
        List.of(
            encode(token),
            Long.toString(ttlMs),
            Double.toString(Codec.score(token.expiresAt())),
            Codec.esc(token.tokenId())));
  }

  @Override
  public Optional<AccessToken> find(String tokenId) {
    String v = redis.get(keys.token(tokenId));
    return v == null ? Optional.empty() : Optional.of(decode(v));
  }

  @Override
  public boolean delete(String tokenId) {
    Object r =
        DELETE.run(
            redis, List.of(keys.token(tokenId), keys.tokenExpiry()), List.of(Codec.esc(tokenId)));
    return (Long) r == 1L;
  }

  @Override
  public int deleteExpired(Instant now) {
    int total = 0;
    List<String> args =
        List.of(
            Double.toString(Codec.score(now)), Integer.toString(DELETE_BATCH), keys.tokenPrefix());
    while (true) {
      @SuppressWarnings("unchecked")
      List<Object> r = (List<Object>) DELETE_EXPIRED.run(redis, List.of(keys.tokenExpiry()), args);
      total += ((Long) r.get(0)).intValue();
      if ((Long) r.get(1) == 0L) {
        return total;
      }
    }
  }

  static String encode(AccessToken t) {
    return Codec.join(
        t.tokenId(),
        t.userId(),
        t.name(),
        Codec.joinAll(new ArrayList<>(t.rooms())),
        t.issuedAt().toString(),
        t.expiresAt().toString());
  }

  static AccessToken decode(String record) {
    List<String> f = Codec.split(record);
    return new AccessToken(
        f.get(0),
        f.get(1),
        f.get(2),
        new HashSet<>(Codec.splitAll(f.get(3))),
        Instant.parse(f.get(4)),
        Instant.parse(f.get(5)));
  }
}

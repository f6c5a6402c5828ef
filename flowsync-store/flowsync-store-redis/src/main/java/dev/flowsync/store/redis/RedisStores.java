package dev.flowsync.store.redis;

import dev.flowsync.core.store.StoreHealth;
import dev.flowsync.core.store.Stores;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * The Redis-backed stores of one FlowSync node: presence, timers, tokens and the cluster bus, all
 * under one key prefix.
 *
 * <pre>{@code
 * RedisStores redis = RedisStores.builder("127.0.0.1", 6379).keyPrefix("flowsync:").build();
 * Stores stores = redis.applyTo(sqlStores);   // rooms, messages, sessions stay in SQL
 * }</pre>
 *
 * Closing it closes the bus and, when the builder opened the connection pool itself ({@link
 * #builder(String, int)}), the pool.
 */
public final class RedisStores implements StoreHealth, AutoCloseable {
  private final UnifiedJedis redis;
  private final boolean ownsConnection;
  private final RedisPresenceStore presence;
  private final RedisTimerStore timers;
  private final RedisTokenStore tokens;
  private final RedisClusterBus clusterBus;
  private final String keyPrefix;

  private RedisStores(Builder b, UnifiedJedis redis) {
    this.redis = redis;
    this.ownsConnection = b.ownsConnection;
    this.keyPrefix = b.keyPrefix;
    this.presence = new RedisPresenceStore(redis, keyPrefix);
    this.timers = new RedisTimerStore(redis, keyPrefix);
    this.tokens = new RedisTokenStore(redis, keyPrefix, b.tokenTtlMargin);
    this.clusterBus = new RedisClusterBus(redis, b.subscriberConnections, keyPrefix);
  }

  /**
   * Stores over a connection the caller owns (and closes). The cluster bus needs a dedicated
   * subscriber connection: for a {@link JedisPooled} it opens one with the pool's settings; for any
   * other {@link UnifiedJedis} call {@link Builder#subscriberConnection}.
   *
   * @param redis the commands connection; not closed by the bundle
   * @return a builder with the defaults (key prefix {@code flowsync:})
   */
  public static Builder builder(UnifiedJedis redis) {
    Builder b = new Builder(Objects.requireNonNull(redis, "redis"), false);
    if (redis instanceof JedisPooled pooled) {
      b.subscriberConnections =
          () -> {
            try {
              return pooled.getPool().getFactory().makeObject().getObject();
            } catch (JedisException e) {
              throw e;
            } catch (Exception e) {
              throw new JedisException("Could not open a subscriber connection", e);
            }
          };
    }
    return b;
  }

  /**
   * Stores over a pool this bundle opens to {@code host:port} (connect timeout 1 s, read timeout 2
   * s) and closes with itself. Nothing connects before the first command.
   *
   * @param host the Redis host
   * @param port the Redis port
   * @return a builder with the defaults (key prefix {@code flowsync:})
   */
  public static Builder builder(String host, int port) {
    return builder(
        host,
        port,
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(1_000)
            .socketTimeoutMillis(2_000)
            .build());
  }

  /**
   * Stores over a pool this bundle opens to the Redis a URL names, as in {@code
   * FLOWSYNC_REDIS_URL}: {@code redis://[user:password@]host[:port][/database]}, or {@code
   * rediss://} for TLS. Connect timeout 1 s, read timeout 2 s.
   *
   * @param redisUrl the URL; the port defaults to 6379
   * @return a builder with the defaults (key prefix {@code flowsync:})
   * @throws IllegalArgumentException if it is not a redis:// or rediss:// URL with a host
   */
  public static Builder builder(URI redisUrl) {
    Objects.requireNonNull(redisUrl, "redisUrl");
    boolean tls = "rediss".equalsIgnoreCase(redisUrl.getScheme());
    if (!tls && !"redis".equalsIgnoreCase(redisUrl.getScheme()) || redisUrl.getHost() == null) {
      throw new IllegalArgumentException(
          "Not a Redis URL: '"
              + redisUrl
              + "' (expected redis://host:6379, redis://:password@host:6379/0 or rediss://...)");
    }
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(1_000)
            .socketTimeoutMillis(2_000)
            .ssl(tls)
            .user(JedisURIHelper.getUser(redisUrl))
            .password(JedisURIHelper.getPassword(redisUrl))
            .database(JedisURIHelper.getDBIndex(redisUrl));
    int port = redisUrl.getPort() < 0 ? 6379 : redisUrl.getPort();
    return builder(redisUrl.getHost(), port, config.build());
  }

  /**
   * Stores over a pool this bundle opens to {@code host:port} with the given client settings
   * (password, TLS, timeouts) and closes with itself.
   *
   * @param host the Redis host
   * @param port the Redis port
   * @param config client settings, used for the pool and the bus's subscriber connection
   * @return a builder with the defaults (key prefix {@code flowsync:})
   */
  public static Builder builder(String host, int port, JedisClientConfig config) {
    HostAndPort address = new HostAndPort(Objects.requireNonNull(host, "host"), port);
    Objects.requireNonNull(config, "config");
    Builder b = new Builder(null, true);
    b.address = address;
    b.config = config;
    b.subscriberConnections = () -> new Connection(address, config);
    return b;
  }

  /**
   * Presence with atomic cluster-wide admission and node leases.
   *
   * @return the presence store
   */
  public RedisPresenceStore presence() {
    return presence;
  }

  /**
   * Timers with versioned compare-and-set.
   *
   * @return the timer store
   */
  public RedisTimerStore timers() {
    return timers;
  }

  /**
   * Access tokens.
   *
   * @return the token store
   */
  public RedisTokenStore tokens() {
    return tokens;
  }

  /**
   * The pub/sub cluster bus; whoever runs the node starts it with the node's id.
   *
   * @return the cluster bus
   */
  public RedisClusterBus clusterBus() {
    return clusterBus;
  }

  /**
   * The key prefix every key and channel of this bundle starts with.
   *
   * @return the prefix, e.g. {@code flowsync:}
   */
  public String keyPrefix() {
    return keyPrefix;
  }

  /**
   * The connection the stores send commands on.
   *
   * @return the connection given to the builder, or the pool it opened
   */
  public UnifiedJedis redis() {
    return redis;
  }

  /**
   * {@code base} with its presence, timers, tokens and cluster bus replaced by these.
   *
   * @param base the stores to keep rooms, messages and sessions from
   * @return the combined stores
   */
  public Stores applyTo(Stores base) {
    return base.withPresence(presence)
        .withTimers(timers)
        .withTokens(tokens)
        .withClusterBus(clusterBus);
  }

  @Override
  public String healthName() {
    return "redis";
  }

  /**
   * Whether Redis answers a {@code PING}; the bus reports its own state through {@link
   * RedisClusterBus#isHealthy()}.
   *
   * @return true if Redis answered
   */
  @Override
  public boolean isHealthy() {
    try {
      return "PONG".equals(redis.ping());
    } catch (JedisException e) {
      return false;
    }
  }

  @Override
  public void close() {
    clusterBus.close();
    if (ownsConnection) {
      redis.close();
    }
  }

  /** Configures a {@link RedisStores}; validated at {@link #build()}. */
  public static final class Builder {
    private final UnifiedJedis redis;
    private final boolean ownsConnection;
    private String keyPrefix = "flowsync:";
    private Duration tokenTtlMargin = Duration.ofMinutes(5);
    private Supplier<Connection> subscriberConnections;
    private HostAndPort address;
    private JedisClientConfig config;

    private Builder(UnifiedJedis redis, boolean ownsConnection) {
      this.redis = redis;
      this.ownsConnection = ownsConnection;
    }

    /**
     * Prefix of every key and channel (default {@code flowsync:}); lets several apps or clusters
     * share one Redis.
     *
     * @param keyPrefix a non-empty prefix
     * @return this builder
     */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = keyPrefix;
      return this;
    }

    /**
     * How long a token key outlives its token if nobody deletes it (default 5 minutes). Validity is
     * decided by {@code expiresAt}, never by this TTL.
     *
     * @param margin a positive duration
     * @return this builder
     */
    public Builder tokenTtlMargin(Duration margin) {
      this.tokenTtlMargin = margin;
      return this;
    }

    /**
     * Opens the bus's dedicated, unpooled subscriber connection to the same Redis; needed only when
     * the {@link UnifiedJedis} given to {@link #builder(UnifiedJedis)} is not a {@link
     * JedisPooled}.
     *
     * @param connections called for each (re)connect; returns a new connection
     * @return this builder
     */
    public Builder subscriberConnection(Supplier<Connection> connections) {
      this.subscriberConnections = connections;
      return this;
    }

    /**
     * The stores.
     *
     * @return the stores; close them to stop the bus (and the pool this builder opened)
     * @throws IllegalArgumentException if a setting is missing or invalid
     */
    public RedisStores build() {
      if (keyPrefix == null || keyPrefix.isEmpty()) {
        throw new IllegalArgumentException("keyPrefix must not be empty, e.g. \"flowsync:\"");
      }
      if (tokenTtlMargin == null || tokenTtlMargin.isNegative() || tokenTtlMargin.isZero()) {
        throw new IllegalArgumentException(
            "tokenTtlMargin must be positive, was " + tokenTtlMargin);
      }
      if (subscriberConnections == null) {
        throw new IllegalArgumentException(
            "The cluster bus needs its own subscriber connection and this "
                + (redis == null ? "connection" : redis.getClass().getSimpleName())
                + " is not a JedisPooled: call subscriberConnection(() -> new Connection(host,"
                + " port)) or use RedisStores.builder(host, port)");
      }
      return new RedisStores(this, redis != null ? redis : new JedisPooled(address, config));
    }
  }
}

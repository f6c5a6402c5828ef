package dev.flowsync.store.sql;

import dev.flowsync.core.FlowSyncException.UnavailableException;
import dev.flowsync.core.store.StoreHealth;
import dev.flowsync.core.store.Stores;
import dev.flowsync.store.sql.internal.AppendCommitter;
import dev.flowsync.store.sql.internal.SqlDb;
import dev.flowsync.store.sql.internal.SqlHealth;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import javax.sql.DataSource;
import org.jooq.SQLDialect;
import org.jooq.tools.jdbc.JDBCUtils;

/**
 * The SQL stores over one {@link DataSource}: rooms, chat messages, member sessions and access
 * tokens, on PostgreSQL or H2.
 *
 * <pre>{@code
 * SqlSchema.migrate(dataSource);
 * SqlStores sql = SqlStores.builder(dataSource).retention(Duration.ofDays(30), Duration.ofDays(90)).build();
 * Stores stores = sql.applyTo(InMemoryStores.create());
 * // periodically, e.g. hourly:
 * sql.purge(clock.instant());
 * }</pre>
 *
 * <p>The data source should be a pool with a short connection timeout (1 to 2 s, e.g. HikariCP's
 * {@code connectionTimeout}): together with the statement timeout set here it bounds every call, so
 * while the database is down calls fail fast with {@link UnavailableException} and nothing piles
 * up; when it returns, calls succeed again by themselves. The stores do not own the data source:
 * {@link #close()} stops the chat writer threads only.
 */
public final class SqlStores implements StoreHealth, AutoCloseable {
  private final SqlDb db;
  private final AppendCommitter committer;
  private final SqlRoomStore rooms;
  private final SqlMessageStore messages;
  private final SqlSessionStore sessions;
  private final SqlTokenStore tokens;
  private final Duration messageRetention;
  private final Duration sessionRetention;
  private final SqlHealth health;

  private SqlStores(Builder b, SQLDialect dialect) {
    this.db = new SqlDb(b.dataSource, dialect, b.queryTimeout);
    this.committer =
        new AppendCommitter(
            db,
            b.maxBatchSize,
            b.maxPendingAppends,
            b.appendTimeout,
            b.writerThreads,
            dialect.family() == SQLDialect.H2 ? b.h2WriteThrough : null,
            "fs-sql-chat");
    if (dialect.family() == SQLDialect.H2 && b.h2WriteThrough != null) {
      db.enableH2WriteThrough(); // tokens and rooms too: an issued or revoked token must persist
    }
    this.health = new SqlHealth(b.dataSource);
    this.rooms = new SqlRoomStore(db, health);
    this.messages = new SqlMessageStore(db, committer, health);
    this.sessions = new SqlSessionStore(db, health);
    this.tokens = new SqlTokenStore(db, health);
    this.messageRetention = b.messageRetention;
    this.sessionRetention = b.sessionRetention;
  }

  /** Starts configuring stores over this data source (a connection pool, ideally). */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /** The room store. */
  public SqlRoomStore rooms() {
    return rooms;
  }

  /** The chat message store (group commit, atomic seq). */
  public SqlMessageStore messages() {
    return messages;
  }

  /** The member session store. */
  public SqlSessionStore sessions() {
    return sessions;
  }

  /** The access token store. */
  public SqlTokenStore tokens() {
    return tokens;
  }

  /** The SQL dialect in use (given, or detected at {@link Builder#build()}). */
  public SQLDialect dialect() {
    return db.dialect();
  }

  /**
   * The given bundle with its rooms, messages, sessions and tokens replaced by these SQL stores;
   * presence, timers and the cluster bus are kept. To keep tokens elsewhere (e.g. Redis), swap the
   * stores one by one instead: {@code stores.withRooms(sql.rooms()).withMessages(...)}.
   */
  public Stores applyTo(Stores stores) {
    return stores.withRooms(rooms).withMessages(messages).withSessions(sessions).withTokens(tokens);
  }

  /**
   * Applies the retention: deletes messages sent longer ago than the message retention, stays that
   * ended longer ago than the session retention (open stays are kept), and expired tokens. Call it
   * periodically (hourly is plenty); several nodes may call it at once. Deletes in chunks of short
   * transactions.
   *
   * @param now the current time (the stores never read the clock)
   * @throws UnavailableException the database could not be reached; what was deleted stays deleted
   */
  public PurgeResult purge(Instant now) {
    int m = messageRetention == null ? 0 : messages.deleteSentBefore(now.minus(messageRetention));
    int s = sessionRetention == null ? 0 : sessions.deleteEndedBefore(now.minus(sessionRetention));
    int t = tokens.deleteExpired(now);
    return new PurgeResult(m, s, t);
  }

  @Override
  public String healthName() {
    return "sql";
  }

  /**
   * Whether a connection could be taken and validated within one second. A check still running from
   * an earlier call (the database hangs) is not repeated; each store of the bundle answers the
   * same.
   */
  @Override
  public boolean isHealthy() {
    return health.isHealthy();
  }

  /** Stops the chat writers (pending appends fail with unavailable); the data source stays open. */
  @Override
  public void close() {
    committer.close();
    health.close();
  }

  /** Configuration of {@link SqlStores}; validated at {@link #build()}. */
  public static final class Builder {
    private final DataSource dataSource;
    private SQLDialect dialect;
    private Duration queryTimeout = Duration.ofSeconds(2);
    private Duration appendTimeout = Duration.ofSeconds(5);
    private int maxBatchSize = 256;
    private int maxPendingAppends = 10_000;
    private int writerThreads = 2;
    private Duration h2WriteThrough;
    private Duration messageRetention;
    private Duration sessionRetention;

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * The SQL dialect, e.g. {@link SQLDialect#POSTGRES} or {@link SQLDialect#H2}. Default: detected
     * from the database at {@link #build()}.
     */
    public Builder dialect(SQLDialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      return this;
    }

    /** The longest one statement may run (whole seconds, at least 1). Default 2 s. */
    public Builder queryTimeout(Duration timeout) {
      this.queryTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * The longest a chat append waits for a writer to take it before failing with unavailable.
     * Default 5 s.
     */
    public Builder appendTimeout(Duration timeout) {
      this.appendTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** The most chat messages one transaction carries. Default 256. */
    public Builder maxBatchSize(int n) {
      this.maxBatchSize = n;
      return this;
    }

    /** The most chat appends waiting at once; beyond it appends fail at once. Default 10,000. */
    public Builder maxPendingAppends(int n) {
      this.maxPendingAppends = n;
      return this;
    }

    /**
     * How many chat transactions may run at once (each holds one connection while it runs). Default
     * 2.
     */
    public Builder writerThreads(int n) {
      this.writerThreads = n;
      return this;
    }

    /**
     * H2 only (ignored on PostgreSQL): have each chat commit written to the H2 file before its
     * appends return, so an acknowledged message survives a crash of the process, while the URL
     * keeps H2's background writer ({@code WRITE_DELAY} above 0, the default 500 ms) that frees and
     * compacts old chunks. Use it instead of {@code WRITE_DELAY=0}: that setting also writes every
     * commit, but stops the background writer, so the file and H2's list of chunks grow without
     * bound (about 16 KB per message).
     *
     * <p>Each write is an H2 {@code CHECKPOINT} (the user needs admin rights, as H2's {@code sa}
     * has) and leaves a chunk that H2 keeps for its {@code RETENTION_TIME} (45 s): so at most one
     * is made per {@code interval}, covering every chat commit before it, and appends wait for it
     * (up to the interval longer under load). {@link Duration#ZERO} writes after every commit; the
     * standalone server uses 50 ms. Default: off (H2 writes within its {@code WRITE_DELAY}).
     */
    public Builder h2WriteThrough(Duration interval) {
      require(interval == null || !interval.isNegative(), "h2WriteThrough must not be negative");
      this.h2WriteThrough = interval;
      return this;
    }

    /**
     * Keep chat messages for {@code messages} and ended member stays for {@code sessions}; null
     * keeps them forever (the default). Applied by {@link SqlStores#purge}.
     */
    public Builder retention(Duration messages, Duration sessions) {
      this.messageRetention = messages;
      this.sessionRetention = sessions;
      return this;
    }

    /**
     * Validates the configuration and creates the stores; starts the chat writer threads.
     *
     * @throws IllegalArgumentException a setting is out of range
     * @throws UnavailableException no dialect was given and the database could not be reached to
     *     detect it
     */
    public SqlStores build() {
      require(!queryTimeout.isNegative() && !queryTimeout.isZero(), "queryTimeout must be > 0");
      require(!appendTimeout.isNegative() && !appendTimeout.isZero(), "appendTimeout must be > 0");
      require(maxBatchSize >= 1 && maxBatchSize <= 2_000, "maxBatchSize must be 1 to 2000");
      require(maxPendingAppends >= 1, "maxPendingAppends must be 1 or more");
      require(writerThreads >= 1 && writerThreads <= 64, "writerThreads must be 1 to 64");
      require(
          messageRetention == null || !messageRetention.isNegative(),
          "message retention must not be negative");
      require(
          sessionRetention == null || !sessionRetention.isNegative(),
          "session retention must not be negative");
      SQLDialect d = dialect;
      if (d == null) {
        try (Connection c = dataSource.getConnection()) {
          d = JDBCUtils.dialect(c);
        } catch (SQLException | RuntimeException e) {
          throw new UnavailableException(
              "Detecting the SQL dialect failed: database unavailable; give it with"
                  + " .dialect(SQLDialect.POSTGRES) to build without a database",
              e);
        }
      }
      require(
          d.family() == SQLDialect.POSTGRES || d.family() == SQLDialect.H2,
          "The SQL stores support PostgreSQL and H2, not " + d);
      return new SqlStores(this, d);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}

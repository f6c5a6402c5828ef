package dev.flowsync.store.sql.internal;

import dev.flowsync.core.FlowSyncException;
import dev.flowsync.core.FlowSyncException.UnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * One database as the stores see it: a {@link DSLContext} over the user's {@link DataSource} and
 * the translation of failures into {@code unavailable}.
 */
public final class SqlDb {
  private final DataSource dataSource;
  private final SQLDialect dialect;
  private final Settings settings;

  public SqlDb(DataSource dataSource, SQLDialect dialect, Duration queryTimeout) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    // Unquoted names: PostgreSQL folds them to lower case and H2 to upper case, exactly as the
    // unquoted names in the migration were folded, so one schema works in both without H2 modes.
    this.settings =
        new Settings()
            .withRenderQuotedNames(RenderQuotedNames.NEVER)
            .withRenderSchema(false)
            .withRenderCatalog(false)
            .withExecuteLogging(false)
            .withQueryTimeout((int) Math.max(1, Math.ceil(queryTimeout.toMillis() / 1000.0)));
  }

  public DataSource dataSource() {
    return dataSource;
  }

  public SQLDialect dialect() {
    return dialect;
  }

  /**
   * Runs one autocommitted unit of work on one connection; failures become {@code unavailable}. The
   * connection is taken once, so a database that is down costs one pool timeout, not one per
   * statement.
   */
  public <T> T run(String what, Function<DSLContext, T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.apply(DSL.using(c, dialect, settings));
    } catch (FlowSyncException e) {
      throw e;
    } catch (SQLException | RuntimeException e) {
      throw unavailable(what, e);
    }
  }

  private volatile boolean h2WriteThrough;

  /**
   * H2 only: from now on {@link #writeThrough} writes committed changes to the file. Set by {@code
   * SqlStores.Builder.h2WriteThrough}; chat has its own, rate-limited write-through.
   */
  public void enableH2WriteThrough() {
    h2WriteThrough = true;
  }

  /**
   * Writes every committed change to the H2 file now ({@code CHECKPOINT}), when write-through is
   * on, so that what a caller is about to be told is stored survives a crash of the process. For
   * rare writes (tokens, rooms); a no-op on PostgreSQL, which is durable at COMMIT.
   */
  public void writeThrough() {
    if (h2WriteThrough) {
      run("Writing committed changes to the H2 file", dsl -> dsl.execute("CHECKPOINT"));
    }
  }

  /** How many rows one retention delete removes at most, in its own short transaction. */
  public static final int DELETE_CHUNK = 5_000;

  /**
   * Runs a retention delete chunk after chunk until one removes fewer than {@link #DELETE_CHUNK}
   * rows, so a large purge never holds locks for long or runs into the query timeout.
   *
   * @param oneChunk deletes at most {@link #DELETE_CHUNK} rows and says how many it deleted
   * @return how many rows were deleted in all
   */
  public int deleteInChunks(String what, Function<DSLContext, Integer> oneChunk) {
    int total = 0;
    while (true) {
      int n = run(what, oneChunk);
      total += n;
      if (n < DELETE_CHUNK) {
        return total;
      }
    }
  }

  /** Thrown inside a transaction to roll it back and have the caller run it again differently. */
  public static class Retry extends RuntimeException {
    public Retry() {
      super(null, null, false, false);
    }
  }

  /**
   * Runs the work in one transaction on one connection; failures roll back and become {@code
   * unavailable}. (Given a DataSource, jOOQ would take a connection again to roll back and again to
   * restore auto-commit: three pool timeouts for one failure while the database is down.)
   */
  public <T> T transaction(String what, Function<DSLContext, T> work) {
    try (Connection c = dataSource.getConnection()) {
      return DSL.using(c, dialect, settings).transactionResult(cfg -> work.apply(cfg.dsl()));
    } catch (FlowSyncException | Retry e) {
      throw e;
    } catch (SQLException | RuntimeException e) {
      throw unavailable(what, e);
    }
  }

  /**
   * The database could not be reached or dropped the connection: every other call would fail the
   * same way right now.
   */
  public static boolean isConnectionFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof SQLTransientConnectionException
          || c instanceof SQLNonTransientConnectionException) {
        return true;
      }
    }
    String s = sqlState(t);
    return s != null && (s.startsWith("08") || s.startsWith("57P"));
  }

  /** An {@code unavailable} failure naming what was attempted and the database's own reason. */
  public static UnavailableException unavailable(String what, Throwable cause) {
    return new UnavailableException(
        what + " failed: database unavailable (" + rootMessage(cause) + ")", cause);
  }

  static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return m == null ? root.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
  }

  /** The first SQLState found in the cause chain, or null. */
  public static String sqlState(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof DataAccessException d && d.sqlState() != null && !"".equals(d.sqlState())) {
        String s = d.sqlState();
        if (!"99999".equals(s)) {
          return s;
        }
      }
      if (c instanceof SQLException s && s.getSQLState() != null) {
        return s.getSQLState();
      }
    }
    return null;
  }

  /** A unique or primary key was violated. */
  public static boolean isUniqueViolation(Throwable t) {
    return "23505".equals(sqlState(t));
  }

  /**
   * Worth running the same transaction again: deadlock, serialization failure, lock timeout, or a
   * unique violation from a concurrent writer that the retry will see as committed.
   */
  public static boolean isRetryable(Throwable t) {
    String s = sqlState(t);
    return s != null
        && (s.equals("40001") || s.equals("40P01") || s.equals("HYT00") || s.equals("23505"));
  }

  /** The data itself was refused (too long, bad value): retrying it alone isolates the culprit. */
  public static boolean isDataError(Throwable t) {
    String s = sqlState(t);
    return s != null && (s.startsWith("22") || (s.startsWith("23") && !s.equals("23505")));
  }
}

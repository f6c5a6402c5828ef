package dev.flowsync.store.sql.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * One health check shared by the SQL stores of a bundle: takes a connection and validates it, on
 * its own thread, answering within a second. While a check hangs (the database does not answer) no
 * second one is started; answers within 500 ms of the last reuse it, so asking every store of a
 * bundle costs one check.
 */
public final class SqlHealth implements AutoCloseable {
  private final DataSource dataSource;
  private final ExecutorService executor;
  private Future<Boolean> check;
  private boolean last = true;
  private long lastAt;

  public SqlHealth(DataSource dataSource) {
    this.dataSource = dataSource;
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "fs-sql-health");
              t.setDaemon(true);
              return t;
            });
  }

  /** Whether the database answered, now or within the last half second. */
  public synchronized boolean isHealthy() {
    if (check != null && check.isDone() && System.nanoTime() - lastAt < 500_000_000L) {
      return last;
    }
    if (check == null || check.isDone()) {
      check = executor.submit(this::ping);
    }
    try {
      last = check.get(1, TimeUnit.SECONDS);
      lastAt = System.nanoTime();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      last = false;
    }
    return last;
  }

  private boolean ping() {
    try (Connection c = dataSource.getConnection()) {
      return c.isValid(1);
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}

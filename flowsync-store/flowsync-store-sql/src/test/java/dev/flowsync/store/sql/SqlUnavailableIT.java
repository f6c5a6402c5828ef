package dev.flowsync.store.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.flowsync.core.ErrorCode;
import dev.flowsync.core.FlowSyncException;
import dev.flowsync.core.FlowSyncException.UnavailableException;
import dev.flowsync.core.chat.NewMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jooq.SQLDialect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A database that does not answer (nothing listens on the port): every call fails fast with {@code
 * unavailable}, concurrent callers do not pile up, and health says so. Safe to run anywhere; the
 * real stop-and-restart of PostgreSQL is {@link PostgresOutageIT}.
 */
@DisplayName("SQL stores with the database unreachable")
class SqlUnavailableIT {
  private HikariDataSource pool;
  private SqlStores stores;

  @BeforeEach
  void open() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + closedPort + "/test");
    c.setUsername("postgres");
    c.setConnectionTimeout(1_000);
    c.setInitializationFailTimeout(-1);
    c.setMaximumPoolSize(4);
    pool = new HikariDataSource(c);
    stores = SqlStores.builder(pool).dialect(SQLDialect.POSTGRES).build();
  }

  @AfterEach
  void close() {
    stores.close();
    pool.close();
  }

  @Test
  @DisplayName("every store call fails with unavailable within about the pool's connection timeout")
  void failsFast() {
    long start = System.nanoTime();
    assertThatThrownBy(() -> stores.rooms().find("r1"))
        .isInstanceOf(UnavailableException.class)
        .hasMessageContaining("Reading room 'r1' failed: database unavailable");
    assertThatThrownBy(
            () ->
                stores
                    .messages()
                    .append(new NewMessage("m1", "r1", "u1", "U", "hi", Instant.now(), "k1")))
        .isInstanceOf(UnavailableException.class)
        .satisfies(
            e -> assertThat(((FlowSyncException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE));
    assertThatThrownBy(() -> stores.sessions().list("r1", 10, null))
        .isInstanceOf(UnavailableException.class);
    assertThatThrownBy(() -> stores.tokens().find("t")).isInstanceOf(UnavailableException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
  }

  @Test
  @DisplayName("64 concurrent appends all fail within a few seconds: nothing waits unbounded")
  void noPileUp() throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(64);
    try {
      long start = System.nanoTime();
      List<Future<Throwable>> outcomes = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        String id = "m" + i;
        outcomes.add(
            callers.submit(
                () -> {
                  try {
                    stores
                        .messages()
                        .append(new NewMessage(id, "r1", "u1", "U", "hi", Instant.now(), null));
                    return null;
                  } catch (Throwable t) {
                    return t;
                  }
                }));
      }
      for (Future<Throwable> f : outcomes) {
        assertThat(f.get(15, TimeUnit.SECONDS)).isInstanceOf(UnavailableException.class);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  @DisplayName("health answers false within about a second")
  void unhealthy() {
    long start = System.nanoTime();
    assertThat(stores.isHealthy()).isFalse();
    assertThat(stores.messages().isHealthy()).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
  }

  @Test
  @DisplayName("building without a dialect on an unreachable database says how to fix it")
  void dialectDetectionNeedsDatabase() {
    assertThatThrownBy(() -> SqlStores.builder(pool).build())
        .isInstanceOf(UnavailableException.class)
        .hasMessageContaining(".dialect(SQLDialect.POSTGRES)");
  }
}

package dev.flowsync.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flowsync.core.store.Stores;
import dev.flowsync.core.store.memory.InMemoryStores;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.UnifiedJedis;

@DisplayName("RedisStores")
class RedisStoresIntegrationTest {
  private RedisFixture fixture;

  @BeforeEach
  void setUp() {
    fixture = new RedisFixture();
  }

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  @Test
  @DisplayName("reports healthy while Redis answers, under the name 'redis'")
  void health() {
    RedisStores stores = fixture.newStores();
    assertThat(stores.healthName()).isEqualTo("redis");
    assertThat(stores.isHealthy()).isTrue();
    assertThat(stores.keyPrefix()).isEqualTo(fixture.prefix);
  }

  @Test
  @DisplayName("reports unhealthy, without hanging, when nothing listens at the address")
  void unhealthy() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (RedisStores stores = RedisStores.builder("127.0.0.1", closedPort).build()) {
      long t0 = System.nanoTime();
      assertThat(stores.isHealthy()).isFalse();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
    }
  }

  @Test
  @DisplayName("replaces presence, timers, tokens and the bus of another bundle, keeping the rest")
  void applyTo() {
    RedisStores redis = fixture.newStores();
    Stores base = InMemoryStores.create();
    Stores combined = redis.applyTo(base);
    assertThat(combined.presence()).isSameAs(redis.presence());
    assertThat(combined.timers()).isSameAs(redis.timers());
    assertThat(combined.tokens()).isSameAs(redis.tokens());
    assertThat(combined.clusterBus()).isSameAs(redis.clusterBus());
    assertThat(combined.rooms()).isSameAs(base.rooms());
    assertThat(combined.messages()).isSameAs(base.messages());
  }

  @Test
  @DisplayName("over a caller's JedisPooled, the bus opens its own subscriber connection")
  void overCallersPool() {
    try (JedisPooled pool = new JedisPooled(fixture.redis.host(), fixture.redis.port());
        RedisStores stores = RedisStores.builder(pool).keyPrefix(fixture.prefix).build();
        RedisStores other =
            RedisStores.builder(fixture.redis.host(), fixture.redis.port())
                .keyPrefix(fixture.prefix)
                .build()) {
      List<String> got = new CopyOnWriteArrayList<>();
      stores.clusterBus().start("pooled-" + fixture.prefix, got::add);
      other.clusterBus().start("other-" + fixture.prefix, p -> {});
      await().until(stores.clusterBus()::isHealthy);
      other.clusterBus().sendToNode("pooled-" + fixture.prefix, "hi");
      await().until(() -> got.contains("hi"));
      stores.close();
      assertThat(pool.ping()).as("the caller's pool stays open").isEqualTo("PONG");
    }
  }

  @Test
  @DisplayName("connects from a redis:// URL, as FLOWSYNC_REDIS_URL gives it")
  void fromUrl() {
    try (RedisStores stores =
        RedisStores.builder(URI.create(fixture.redis.url())).keyPrefix(fixture.prefix).build()) {
      assertThat(stores.isHealthy()).isTrue();
      stores.tokens().deleteExpired(java.time.Instant.EPOCH);
    }
    assertThatThrownBy(() -> RedisStores.builder(URI.create("http://127.0.0.1:6379")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redis://host:6379");
  }

  @Test
  @DisplayName("refuses settings it cannot work with, at build()")
  void validation() {
    assertThatThrownBy(() -> RedisStores.builder("127.0.0.1", 6379).keyPrefix("").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keyPrefix");
    assertThatThrownBy(
            () -> RedisStores.builder("127.0.0.1", 6379).tokenTtlMargin(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tokenTtlMargin");
    try (UnifiedJedis plain =
        new UnifiedJedis(new HostAndPort(fixture.redis.host(), fixture.redis.port()))) {
      assertThatThrownBy(() -> RedisStores.builder(plain).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("subscriberConnection");
    }
  }

  @Test
  @DisplayName("a bus is started once")
  void startOnce() {
    RedisClusterBus bus = fixture.newStores().clusterBus();
    bus.start("once-" + fixture.prefix, p -> {});
    assertThatThrownBy(() -> bus.start("again", p -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("once-");
  }
}

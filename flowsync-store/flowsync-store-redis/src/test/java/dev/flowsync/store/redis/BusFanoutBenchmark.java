package dev.flowsync.store.redis;

import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.JedisPubSub;

/**
 * Rough comparison of the two ways to scope room messages to interested nodes, on a private
 * redis-server (nothing else running on it):
 *
 * <ul>
 *   <li>interest: a SET of nodes per room and one Lua script that publishes to each interested
 *       node's channel except the sender's (what {@link RedisClusterBus} does);
 *   <li>room channels: every node SUBSCRIBEs to a channel per room it has members in, the sender
 *       PUBLISHes once and, being subscribed itself, gets its own message back to discard.
 * </ul>
 *
 * Run: {@code mvn -q -pl flowsync-store/flowsync-store-redis -am verify -Dflowsync.bench=true
 * -Dtest=BusFanoutBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
@EnabledIfSystemProperty(named = "flowsync.bench", matches = "true")
class BusFanoutBenchmark {
  private static final int MESSAGES = 20_000;
  private static final String PAYLOAD = "x".repeat(300);

  @Test
  void compare() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process server =
        new ProcessBuilder("redis-server", "--port", "" + port, "--save", "", "--appendonly", "no")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (JedisPooled admin = new JedisPooled("127.0.0.1", port)) {
      await().ignoreExceptions().until(() -> "PONG".equals(admin.ping()));
      for (int nodes : new int[] {2, 4}) {
        for (int round = 0; round < 2; round++) {
          interest(admin, port, nodes, round == 0);
          roomChannels(admin, port, nodes, round == 0);
        }
      }
    } finally {
      server.destroy();
      server.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private void interest(JedisPooled admin, int port, int nodes, boolean warmup) {
    List<RedisStores> stores = new ArrayList<>();
    AtomicLong received = new AtomicLong();
    try {
      for (int i = 0; i < nodes; i++) {
        RedisStores s = RedisStores.builder("127.0.0.1", port).keyPrefix("bench:").build();
        stores.add(s);
        s.clusterBus().start("n" + i, p -> received.incrementAndGet());
        await().until(s.clusterBus()::isHealthy);
        s.clusterBus().joinRoom("r1");
      }
      RedisClusterBus sender = stores.get(0).clusterBus();
      double cpu0 = redisCpuMs(admin);
      long t0 = System.nanoTime();
      for (int i = 0; i < MESSAGES; i++) {
        sender.publishToRoom("r1", PAYLOAD);
      }
      long expected = (long) MESSAGES * (nodes - 1);
      await().atMost(Duration.ofMinutes(1)).until(() -> received.get() >= expected);
      report("interest set + Lua", nodes, warmup, t0, cpu0, admin, received.get(), 0);
    } finally {
      stores.forEach(RedisStores::close);
    }
  }

  private void roomChannels(JedisPooled admin, int port, int nodes, boolean warmup)
      throws Exception {
    AtomicLong received = new AtomicLong();
    AtomicLong echoes = new AtomicLong();
    List<JedisPubSub> subs = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      String self = "n" + i;
      JedisPubSub sub =
          new JedisPubSub() {
            @Override
            public void onMessage(String channel, String message) {
              int sep = message.indexOf('\n');
              if (message.substring(0, sep).equals(self)) {
                echoes.incrementAndGet();
              } else {
                received.incrementAndGet();
              }
            }
          };
      Connection c = new Connection(new HostAndPort("127.0.0.1", port));
      Thread t = new Thread(() -> sub.proceed(c, "bench:room:r1"));
      t.start();
      subs.add(sub);
      threads.add(t);
    }
    await().until(() -> subs.stream().allMatch(s -> s.getSubscribedChannels() == 1));
    try (JedisPooled sender = new JedisPooled("127.0.0.1", port)) {
      double cpu0 = redisCpuMs(admin);
      long t0 = System.nanoTime();
      for (int i = 0; i < MESSAGES; i++) {
        sender.publish("bench:room:r1", "n0\n" + PAYLOAD);
      }
      long expected = (long) MESSAGES * (nodes - 1);
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> received.get() >= expected && echoes.get() >= MESSAGES);
      report("room channels     ", nodes, warmup, t0, cpu0, admin, received.get(), echoes.get());
    } finally {
      subs.forEach(JedisPubSub::unsubscribe);
      for (Thread t : threads) {
        t.join(5_000);
      }
    }
  }

  private static void report(
      String variant,
      int nodes,
      boolean warmup,
      long t0,
      double cpu0,
      JedisPooled admin,
      long received,
      long echoes) {
    double wallUs = (System.nanoTime() - t0) / 1_000.0 / MESSAGES;
    double cpuUs = (redisCpuMs(admin) - cpu0) * 1_000.0 / MESSAGES;
    System.out.printf(
        "%s%s nodes=%d: %.1f us/publish (sender, sequential), Redis CPU %.1f us/publish,"
            + " delivered %d, echoes to sender %d%n",
        warmup ? "[warmup] " : "", variant, nodes, wallUs, cpuUs, received, echoes);
  }

  private static double redisCpuMs(JedisPooled admin) {
    Map<String, String> info = new java.util.HashMap<>();
    for (String line :
        redis.clients.jedis.util.SafeEncoder.encode(
                (byte[]) admin.sendCommand(redis.clients.jedis.Protocol.Command.INFO, "cpu"))
            .split("\r?\n")) {
      int i = line.indexOf(':');
      if (i > 0) {
        info.put(line.substring(0, i), line.substring(i + 1).trim());
      }
    }
    return (Double.parseDouble(info.get("used_cpu_user"))
            + Double.parseDouble(info.get("used_cpu_sys")))
        * 1_000.0;
  }
}

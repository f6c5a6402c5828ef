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
import redis.clients.jedis.Protocol;
import redis.clients.jedis.util.SafeEncoder;

/**
 * Rough costs of the Redis layout, on a private redis-server (nothing else running on it): memory
 * per member, and a comparison of the two ways to scope room messages to interested nodes, on a
 * private redis-server (nothing else running on it):
 *
 * <ul>
 *   <li>interest: a SET of nodes per room and one Lua script that publishes to each interested
 *       node's channel except the sender's (what {@link RedisClusterBus} does);
 *   <li>room channels: every node SUBSCRIBEs to a channel per room it has members in, the sender
 *       PUBLISHes once and, being subscribed itself, gets its own message back to discard.
 * </ul>
 *
 * Run: {@code mvn -q -pl flowsync-store/flowsync-store-redis -am verify -Dflowsync.bench=true
 * -Dtest=RedisCostBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
@EnabledIfSystemProperty(named = "flowsync.bench", matches = "true")
class RedisCostBenchmark {
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
      memoryPerMember(admin, port);
      for (int nodes : new int[] {2, 4}) {
        for (int round = 0; round < 4; round++) {
          interest(admin, port, nodes, round == 0);
          roomChannels(admin, port, nodes, round == 0);
        }
      }
    } finally {
      server.destroy();
      server.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private void memoryPerMember(JedisPooled admin, int port) {
    int members = 10_000;
    try (RedisStores stores =
        RedisStores.builder("127.0.0.1", port).keyPrefix("flowsync:").build()) {
      double mem0 = usedMemory(admin);
      java.time.Instant t = java.time.Instant.parse("2026-11-21T10:00:00Z");
      long t0 = System.nanoTime();
      for (int i = 0; i < members; i++) {
        // Rooms of 10 spread over 4 nodes; ids shaped like the server's (UUID-like connection ids).
        stores
            .presence()
            .admit(
                new dev.flowsync.core.presence.Member(
                    "room-" + (i / 10),
                    java.util.UUID.randomUUID().toString(),
                    "user-" + i,
                    "Display Name " + i,
                    "{\"muted\":false,\"hand\":false}",
                    t.plusMillis(i),
                    "node-" + (i % 4)),
                50);
      }
      double admitUs = (System.nanoTime() - t0) / 1_000.0 / members;
      double perMember = (usedMemory(admin) - mem0) / members;
      System.out.printf(
          "presence: %.0f bytes of Redis memory per member (10,000 members, rooms of 10, 4 nodes),"
              + " %.1f us per admit (sequential, one client)%n",
          perMember, admitUs);
      cmd(admin, Protocol.Command.CONFIG, "SET", "slowlog-log-slower-than", "0");
      cmd(admin, Protocol.Command.CONFIG, "SET", "slowlog-max-len", "1000");
      cmd(admin, Protocol.Command.SLOWLOG, "RESET");
      long r0 = System.nanoTime();
      for (int node = 0; node < 4; node++) {
        stores.presence().removeNode("node-" + node);
      }
      double wallUs = (System.nanoTime() - r0) / 1_000.0 / members;
      long scriptUs = 0;
      long longestUs = 0;
      for (Object e : (List<?>) cmd(admin, Protocol.Command.SLOWLOG, "GET", "1000")) {
        List<?> entry = (List<?>) e;
        String command = SafeEncoder.encode((byte[]) ((List<?>) entry.get(3)).get(0));
        if (command.equalsIgnoreCase("evalsha")) {
          long us = (Long) entry.get(2);
          scriptUs += us;
          longestUs = Math.max(longestUs, us);
        }
      }
      cmd(admin, Protocol.Command.CONFIG, "SET", "slowlog-log-slower-than", "10000");
      System.out.printf(
          "presence: removeNode %.1f us per member removed (wall), Redis busy in the script %.1f us"
              + " per member, longest batch of up to 500: %d us%n",
          wallUs, (double) scriptUs / members, longestUs);
    }
  }

  private static Object cmd(JedisPooled admin, Protocol.Command command, String... args) {
    return admin.sendCommand(command, args);
  }

  private static double usedMemory(JedisPooled admin) {
    return Double.parseDouble(info(admin, "memory").get("used_memory"));
  }

  private static Map<String, String> info(JedisPooled admin, String section) {
    Map<String, String> info = new java.util.HashMap<>();
    for (String line :
        redis.clients.jedis.util.SafeEncoder.encode(
                (byte[]) admin.sendCommand(redis.clients.jedis.Protocol.Command.INFO, section))
            .split("\r?\n")) {
      int i = line.indexOf(':');
      if (i > 0) {
        info.put(line.substring(0, i), line.substring(i + 1).trim());
      }
    }
    return info;
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
      cmd(admin, Protocol.Command.CONFIG, "RESETSTAT");
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
      cmd(admin, Protocol.Command.CONFIG, "RESETSTAT");
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
    // Time Redis spent executing the commands themselves (no socket I/O): less noisy than CPU.
    Map<String, String> stats = info(admin, "commandstats");
    double execUs = 0;
    for (String command : new String[] {"evalsha", "publish"}) {
      String line = stats.get("cmdstat_" + command);
      if (line != null) {
        for (String field : line.split(",")) {
          if (field.startsWith("usec=")) {
            execUs += Double.parseDouble(field.substring(5)) / MESSAGES;
          }
        }
      }
    }
    System.out.printf(
        "%s%s nodes=%d: %.1f us/publish (sender, sequential), Redis CPU %.1f us/publish,"
            + " Redis executing %.1f us/publish, delivered %d, echoes to sender %d%n",
        warmup ? "[warmup] " : "", variant, nodes, wallUs, cpuUs, execUs, received, echoes);
  }

  private static double redisCpuMs(JedisPooled admin) {
    Map<String, String> info = info(admin, "cpu");
    return (Double.parseDouble(info.get("used_cpu_user"))
            + Double.parseDouble(info.get("used_cpu_sys")))
        * 1_000.0;
  }
}

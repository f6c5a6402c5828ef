package dev.flowsync.bench;

import dev.flowsync.core.FlowSync;
import dev.flowsync.core.store.Stores;
import dev.flowsync.core.store.memory.InMemoryStores;
import dev.flowsync.jetty.FlowSyncServer;
import dev.flowsync.signaling.Gateway;
import dev.flowsync.signaling.RateLimit;
import dev.flowsync.store.redis.RedisStores;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The FlowSync server under test, in its own JVM so that its CPU, RSS and heap are its own: an
 * in-memory {@link FlowSync} behind {@link FlowSyncServer}. Until the HTTP API can issue tokens it
 * issues them itself and writes them to a file for the generator, one per line.
 *
 * <pre>
 * java -Xmx1g -cp flowsync-bench.jar dev.flowsync.bench.BenchServer \
 *   --port 0 --tokens 20000 --tokens-file tokens.txt --rooms 2000 --ready-file server.ready
 * </pre>
 *
 * {@code --redis redis://host:6379 --node-id n1} puts presence, tokens and the cluster bus in Redis
 * so that several bench servers form a cluster ({@code --tokens 0} on all but one). {@code
 * --accept-queue n} sets the listen backlog (default: as shipped, the JVM's 50). {@code
 * --resume-grace-ms} sets the resume grace period. {@code --rooms n} creates rooms {@code
 * r0..r(n-1)} up front (for the join storm). The ready file gets {@code port=<port>} and {@code
 * pid=<pid>} once the server listens.
 */
public final class BenchServer {
  private BenchServer() {}

  /** Starts the server and runs until killed. */
  public static void main(String[] argv) throws IOException, InterruptedException {
    Args args = new Args(argv);
    int tokens = args.integer("tokens", 1000);
    // --redis: presence, tokens and the cluster bus in Redis, so several bench servers form one
    // cluster (scenario 5); rooms stay in memory on each node.
    Stores stores = InMemoryStores.create();
    RedisStores redis = null;
    String redisUrl = args.str("redis", null);
    if (redisUrl != null) {
      redis =
          RedisStores.builder(URI.create(redisUrl))
              .keyPrefix(args.str("key-prefix", "flowsync-bench:"))
              .build();
      stores = redis.applyTo(stores);
    }
    FlowSync.Builder builder =
        FlowSync.builder()
            .stores(stores)
            // --resume-grace-ms: dropped warm-up clients would otherwise keep presence for 20 s.
            .resumeGrace(Duration.ofMillis(args.integer("resume-grace-ms", 20_000)));
    String nodeId = args.str("node-id", null);
    if (nodeId != null) {
      builder.nodeId(nodeId);
    }
    FlowSync flowSync = builder.build();
    if (tokens > 0) {
      List<String> lines = new ArrayList<>(tokens);
      for (int i = 0; i < tokens; i++) {
        lines.add(
            flowSync.tokens().issue("u" + i, "User " + i, null, Duration.ofHours(12)).token());
      }
      Files.write(Path.of(args.str("tokens-file", "tokens.txt")), lines);
    }
    int rooms = args.integer("rooms", 0);
    for (int i = 0; i < rooms; i++) {
      flowSync.rooms().findOrAutoCreate("r" + i, "bench");
    }
    // The shipped per-connection limit (50/s) is below the sweep's upper rates (up to 90 msgs/s
    // per client); a bucket that never runs dry costs the same CPU as the default one.
    Gateway gateway =
        Gateway.builder(flowSync)
            .rateLimit(RateLimit.parse(args.str("rate-limit", "1000/s,burst=2000")))
            .build();
    FlowSyncServer server =
        FlowSyncServer.builder(flowSync)
            .gateway(gateway)
            .host(args.str("host", "127.0.0.1"))
            .port(args.integer("port", 0))
            .build();
    int acceptQueue = args.integer("accept-queue", 0);
    if (acceptQueue > 0) {
      // Jetty's default listen backlog is the JVM's 50: connection bursts overflow it and the
      // dropped SYNs come back a second later. Set through the escape hatch, as a user would.
      for (Connector c : server.jettyServer().getConnectors()) {
        if (c instanceof ServerConnector sc) {
          sc.setAcceptQueueSize(acceptQueue);
        }
      }
    }
    server.start();
    Ready.write(args.str("ready-file", "server.ready"), server.port());
    System.out.println("FlowSync bench server listening on " + server.webSocketUri());
    RedisStores redisToClose = redis;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  flowSync.close();
                  if (redisToClose != null) {
                    redisToClose.close();
                  }
                }));
    new CountDownLatch(1).await();
  }
}

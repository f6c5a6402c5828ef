package dev.flowsync.store.redis;

import dev.flowsync.core.cluster.ClusterBus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The cluster bus over Redis pub/sub.
 *
 * <p>Every node subscribes to two channels only: its own ({@code bus:node:<nodeId>}) and the
 * broadcast channel ({@code bus:all}). Room interest is data, not subscriptions: {@code
 * bus:interest:<room>} is the SET of nodes with members in the room, kept by {@link #joinRoom} and
 * {@link #leaveRoom}. {@link #publishToRoom} is one Lua script that publishes the payload to the
 * channel of every interested node except the sender, so a room event costs one round trip, reaches
 * exactly the nodes that need it and never comes back to its sender. A node whose channel has no
 * subscriber (it died, or is reconnecting) is dropped from the room's set by that script; a node
 * re-declares all its rooms each time its subscription is (re)established.
 *
 * <p>Subscriptions run on a dedicated connection and thread. When the connection drops (Redis
 * restart, {@code CLIENT KILL}, network) the thread reconnects with exponential backoff (100 ms
 * doubling to 5 s, with jitter) and resubscribes; a watchdog pings the subscription every second
 * and drops a connection that stopped answering, so a half-open TCP connection is noticed too.
 * Sends while Redis is unreachable are dropped (the bus is at-most-once) and logged.
 *
 * <p>{@link #sendToNode} goes through an outbox per target node. The first sender that finds the
 * outbox idle publishes at once on its own thread (no added latency); messages that arrive for the
 * same node while that PUBLISH is under way wait in the outbox and leave together in the next
 * PUBLISH as one batch ({@link NodeBatch}), which the receiver splits. Under load this turns many
 * round trips into one, and the order of the messages to one node is kept.
 *
 * <p>The listener runs on the subscriber thread: it must hand work off quickly. A listener that
 * throws is logged and the bus goes on.
 */
public final class RedisClusterBus implements ClusterBus {
  private static final Logger log = LoggerFactory.getLogger(RedisClusterBus.class);
  private static final long MIN_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 5_000;
  private static final long PING_INTERVAL_MS = 1_000;
  private static final long PONG_TIMEOUT_MS = 3 * PING_INTERVAL_MS + 500;

  // KEYS: interest set. ARGV: sender (escaped), payload, node channel prefix, room (escaped),
  // node interests key prefix. Returns how many nodes received it.
  private static final LuaScript PUBLISH_TO_ROOM =
      new LuaScript(
          """
          local received = 0
          for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
            if node ~= ARGV[1] then
              if redis.call('PUBLISH', ARGV[3] .. node, ARGV[2]) > 0 then
                received = received + 1
              else
                redis.call('SREM', KEYS[1], node)
                redis.call('SREM', ARGV[5] .. node, ARGV[4])
              end
            end
          end
          return received
          """);

  // KEYS: interest set, node interests set. ARGV: node (escaped), room (escaped), '1' to join.
  private static final LuaScript INTEREST =
      new LuaScript(
          """
          if ARGV[3] == '1' then
            redis.call('SADD', KEYS[1], ARGV[1])
            redis.call('SADD', KEYS[2], ARGV[2])
          else
            redis.call('SREM', KEYS[1], ARGV[1])
            redis.call('SREM', KEYS[2], ARGV[2])
          end
          return 1
          """);

  // KEYS: node interests set. ARGV: node (escaped), interest key prefix, rooms (escaped)...
  // Replaces whatever Redis remembers of this node's rooms with the node's own list.
  private static final LuaScript REDECLARE =
      new LuaScript(
          """
          for _, room in ipairs(redis.call('SMEMBERS', KEYS[1])) do
            redis.call('SREM', ARGV[2] .. room, ARGV[1])
          end
          redis.call('DEL', KEYS[1])
          for i = 3, #ARGV do
            redis.call('SADD', ARGV[2] .. ARGV[i], ARGV[1])
            redis.call('SADD', KEYS[1], ARGV[i])
          end
          return #ARGV - 2
          """);

  private final UnifiedJedis redis;
  private final Supplier<Connection> subscriberConnections;
  private final Keys keys;
  private final Set<String> rooms = ConcurrentHashMap.newKeySet();
  private final Object interestLock = new Object();
  private final AtomicBoolean redeclarePending = new AtomicBoolean(true);
  private final AtomicBoolean sendFailing = new AtomicBoolean(false);
  private final CountDownLatch closed = new CountDownLatch(1);
  private final AtomicInteger lostSubscriptions = new AtomicInteger();

  private final Map<String, Outbox> outboxes = new ConcurrentHashMap<>();
  private final ExecutorService publisher =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "flowsync-redis-bus-publisher");
            t.setDaemon(true);
            return t;
          });

  private volatile String nodeId;
  private volatile String nodeEsc;
  private volatile ClusterListener listener;
  private volatile Subscription subscription;
  private volatile Thread subscriberThread;
  private volatile ScheduledExecutorService watchdog;

  /**
   * A bus that sends through {@code redis} and subscribes on connections from {@code
   * subscriberConnections} (one at a time, each used until it fails, then closed).
   *
   * @param redis the commands connection (pooled); not closed by the bus
   * @param subscriberConnections opens a new, unpooled connection to the same Redis
   * @param keyPrefix prepended to every key and channel, e.g. {@code flowsync:}
   */
  public RedisClusterBus(
      UnifiedJedis redis, Supplier<Connection> subscriberConnections, String keyPrefix) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.subscriberConnections =
        Objects.requireNonNull(subscriberConnections, "subscriberConnections");
    this.keys = new Keys(Objects.requireNonNull(keyPrefix, "keyPrefix"));
  }

  @Override
  public synchronized void start(String nodeId, ClusterListener listener) {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(listener, "listener");
    if (this.nodeId != null) {
      throw new IllegalStateException("The bus was already started as node '" + this.nodeId + "'");
    }
    this.nodeId = nodeId;
    this.nodeEsc = Codec.esc(nodeId);
    this.listener = listener;
    watchdog =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "flowsync-redis-bus-watchdog-" + nodeId);
              t.setDaemon(true);
              return t;
            });
    watchdog.scheduleWithFixedDelay(
        this::watch, PING_INTERVAL_MS, PING_INTERVAL_MS, TimeUnit.MILLISECONDS);
    Thread t = new Thread(this::subscribeLoop, "flowsync-redis-bus-" + nodeId);
    t.setDaemon(true);
    subscriberThread = t;
    t.start();
  }

  /**
   * The id this bus was started with.
   *
   * @return the node id, or null before {@link #start}
   */
  public String nodeId() {
    return nodeId;
  }

  @Override
  public void joinRoom(String room) {
    Objects.requireNonNull(room, "room");
    synchronized (interestLock) {
      if (rooms.add(room)) {
        changeInterest(room, true);
      }
    }
  }

  @Override
  public void leaveRoom(String room) {
    Objects.requireNonNull(room, "room");
    synchronized (interestLock) {
      if (rooms.remove(room)) {
        changeInterest(room, false);
      }
    }
  }

  private void changeInterest(String room, boolean join) {
    requireStarted();
    try {
      INTEREST.run(
          redis,
          List.of(keys.roomInterest(room), keys.nodeInterests(nodeId)),
          List.of(nodeEsc, Codec.esc(room), join ? "1" : "0"));
    } catch (JedisException e) {
      // The local set is the truth; the watchdog writes it to Redis once Redis answers again.
      log.warn(
          "Could not record room '{}' interest of node '{}' in Redis ({}); will retry",
          room,
          nodeId,
          e.toString());
      redeclarePending.set(true);
    }
  }

  @Override
  public void publishToRoom(String room, String payload) {
    Objects.requireNonNull(payload, "payload");
    requireStarted();
    send(
        () ->
            PUBLISH_TO_ROOM.run(
                redis,
                List.of(keys.roomInterest(room)),
                List.of(
                    nodeEsc,
                    payload,
                    keys.nodeChannelPrefix(),
                    Codec.esc(room),
                    keys.nodeInterestsPrefix())));
  }

  @Override
  public void sendToNode(String nodeId, String payload) {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(payload, "payload");
    requireStarted();
    outboxes.computeIfAbsent(nodeId, Outbox::new).add(payload);
  }

  /**
   * The messages waiting for one target node. At most one thread drains it at a time: the sender
   * that found it idle publishes one batch inline; if more are waiting after that, the publisher
   * thread takes over, so a request thread never becomes the node's long-term publisher.
   */
  private final class Outbox {
    private static final int INLINE_BATCHES = 1;
    private final String target;
    private final String channel;
    private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();

    Outbox(String nodeId) {
      this.target = nodeId;
      this.channel = keys.nodeChannel(nodeId);
    }

    void add(String payload) {
      queue.add(payload);
      if (!draining.compareAndSet(false, true)) {
        return; // the drainer will take it with the next batch
      }
      for (int i = 0; i < INLINE_BATCHES; i++) {
        if (!publishBatch() && release()) {
          return;
        }
      }
      handOff();
    }

    private void handOff() {
      try {
        publisher.execute(this::drainAll);
      } catch (RejectedExecutionException e) {
        queue.clear(); // the bus is closed
        draining.set(false);
      }
    }

    private void drainAll() {
      while (publishBatch() || !release()) {
        // keep going while messages arrive
      }
    }

    /** Stops draining; false when a message slipped in meanwhile and this thread drains again. */
    private boolean release() {
      draining.set(false);
      return queue.isEmpty() || !draining.compareAndSet(false, true);
    }

    /** Publishes what is waiting, up to a batch; false when there was nothing. */
    private boolean publishBatch() {
      String first = queue.poll();
      if (first == null) {
        return false;
      }
      String next = queue.peek() == null ? null : queue.poll();
      if (next == null) {
        String single = NodeBatch.single(first);
        send(() -> reportIfUnheard(redis.publish(channel, single), List.of(first)));
        return true;
      }
      NodeBatch batch = new NodeBatch();
      List<String> messages = new ArrayList<>();
      batch.add(first);
      messages.add(first);
      batch.add(next);
      messages.add(next);
      String more;
      while (!batch.full() && (more = queue.poll()) != null) {
        batch.add(more);
        messages.add(more);
      }
      String payload = batch.toString();
      send(() -> reportIfUnheard(redis.publish(channel, payload), messages));
      return true;
    }

    /** PUBLISH counts the subscribers that got it: none means the target node is gone. */
    private void reportIfUnheard(long receivers, List<String> messages) {
      if (receivers > 0) {
        return;
      }
      for (String m : messages) {
        try {
          listener.onUndelivered(target, m);
        } catch (RuntimeException e) {
          log.warn("The bus listener failed on an undelivered message", e);
        }
      }
    }
  }

  @Override
  public void broadcast(String payload) {
    Objects.requireNonNull(payload, "payload");
    requireStarted();
    // Everyone, the sender included, hears the broadcast channel: the sender id lets it skip its
    // own message.
    send(() -> redis.publish(keys.broadcastChannel(), nodeEsc + "\n" + payload));
  }

  private void send(Runnable command) {
    try {
      command.run();
      if (sendFailing.compareAndSet(true, false)) {
        log.info("Redis cluster bus of node '{}' sends again", nodeId);
      }
    } catch (JedisException e) {
      if (sendFailing.compareAndSet(false, true)) {
        log.warn(
            "Redis cluster bus of node '{}' cannot send, messages to other nodes are dropped"
                + " until Redis answers again: {}",
            nodeId,
            e.toString());
      } else {
        log.debug("Redis cluster bus send dropped: {}", e.toString());
      }
    }
  }

  /**
   * Whether the bus is connected.
   *
   * @return true while the subscription is established and answering pings and this node's room
   *     interest is recorded in Redis
   */
  @Override
  public boolean isHealthy() {
    Subscription s = subscription;
    return s != null
        && s.confirmed
        && !redeclarePending.get()
        && System.nanoTime() - s.lastPongNanos < TimeUnit.MILLISECONDS.toNanos(PONG_TIMEOUT_MS);
  }

  @Override
  public void close() {
    if (closed.getCount() == 0) {
      return;
    }
    closed.countDown();
    publisher.shutdown();
    ScheduledExecutorService w = watchdog;
    if (w != null) {
      w.shutdownNow();
    }
    Subscription s = subscription;
    if (s != null) {
      s.connection.disconnect();
    }
    Thread t = subscriberThread;
    if (t != null) {
      try {
        t.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (nodeId != null) {
      // So that other nodes stop publishing to a channel nobody reads. Under the lock, so that a
      // re-declaration already under way cannot put the interest back afterwards.
      synchronized (interestLock) {
        try {
          REDECLARE.run(
              redis,
              List.of(keys.nodeInterests(nodeId)),
              List.of(nodeEsc, keys.roomInterestPrefix()));
        } catch (JedisException e) {
          log.debug("Could not withdraw room interest of node '{}': {}", nodeId, e.toString());
        }
      }
    }
  }

  private boolean isClosed() {
    return closed.getCount() == 0;
  }

  private void requireStarted() {
    if (nodeId == null) {
      throw new IllegalStateException("Call start(nodeId, listener) before using the bus");
    }
  }

  private void subscribeLoop() {
    long backoffMs = MIN_BACKOFF_MS;
    while (!isClosed()) {
      Subscription s = null;
      try {
        Connection c = subscriberConnections.get();
        s = new Subscription(c);
        subscription = s;
        if (isClosed()) {
          c.disconnect();
          break;
        }
        c.sendCommand(Protocol.Command.CLIENT, "SETNAME", clientName());
        c.getStatusCodeReply();
        s.proceed(c, keys.nodeChannel(nodeId), keys.broadcastChannel());
      } catch (RuntimeException e) {
        if (isClosed()) {
          break;
        }
        if (s != null && s.wasConfirmed) {
          lostSubscriptions.incrementAndGet();
          log.warn(
              "Redis cluster bus of node '{}' lost its subscription ({}); reconnecting with"
                  + " backoff",
              nodeId,
              e.toString());
        } else {
          log.debug("Redis cluster bus of node '{}' could not subscribe: {}", nodeId, e.toString());
        }
      } finally {
        if (s != null) {
          s.confirmed = false;
          s.connection.close();
        }
      }
      if (s != null && s.wasConfirmed) {
        backoffMs = MIN_BACKOFF_MS;
      }
      long jitter = ThreadLocalRandom.current().nextLong(backoffMs / 4 + 1);
      try {
        if (closed.await(backoffMs + jitter, TimeUnit.MILLISECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    }
    subscription = null;
  }

  /** How many established subscriptions were lost so far (for tests and metrics). */
  int lostSubscriptions() {
    return lostSubscriptions.get();
  }

  /** The subscriber connection's name, so that operators (and tests) can find it. */
  String clientName() {
    StringBuilder b = new StringBuilder("flowsync-bus:");
    for (char ch : nodeId.toCharArray()) {
      b.append(ch > ' ' && ch < 127 ? ch : '_');
    }
    return b.toString();
  }

  private void watch() {
    Subscription s = subscription;
    if (s != null && s.confirmed) {
      if (System.nanoTime() - s.lastPongNanos > TimeUnit.MILLISECONDS.toNanos(PONG_TIMEOUT_MS)) {
        log.warn("Redis cluster bus of node '{}' got no pong; reconnecting", nodeId);
        s.connection.disconnect();
      } else {
        try {
          s.ping();
        } catch (RuntimeException e) {
          log.debug("Ping on the subscription failed: {}", e.toString());
        }
      }
    }
    redeclareIfPending();
  }

  private void redeclareIfPending() {
    Subscription s = subscription;
    if (s == null || !s.confirmed || !redeclarePending.get() || isClosed()) {
      return;
    }
    synchronized (interestLock) {
      if (isClosed() || !redeclarePending.getAndSet(false)) {
        return;
      }
      List<String> args = new ArrayList<>(rooms.size() + 2);
      args.add(nodeEsc);
      args.add(keys.roomInterestPrefix());
      for (String room : rooms) {
        args.add(Codec.esc(room));
      }
      try {
        REDECLARE.run(redis, List.of(keys.nodeInterests(nodeId)), args);
        log.debug("Node '{}' declared interest in {} rooms", nodeId, rooms.size());
      } catch (JedisException e) {
        redeclarePending.set(true);
        log.warn(
            "Could not declare the rooms of node '{}' in Redis ({}); will retry",
            nodeId,
            e.toString());
      }
    }
  }

  private void deliver(String payload) {
    try {
      listener.onMessage(payload);
    } catch (RuntimeException e) {
      log.error("Cluster bus listener of node '{}' failed; the bus goes on", nodeId, e);
    }
  }

  private final class Subscription extends JedisPubSub {
    final Connection connection;
    volatile boolean confirmed;
    volatile boolean wasConfirmed;
    volatile long lastPongNanos = System.nanoTime();

    Subscription(Connection connection) {
      this.connection = connection;
    }

    @Override
    public void onSubscribe(String channel, int subscribedChannels) {
      if (subscribedChannels == 2) {
        lastPongNanos = System.nanoTime();
        confirmed = true;
        wasConfirmed = true;
        redeclarePending.set(true);
        log.info("Redis cluster bus of node '{}' subscribed", nodeId);
        ScheduledExecutorService w = watchdog;
        if (w != null && !w.isShutdown()) {
          try {
            w.execute(RedisClusterBus.this::redeclareIfPending);
          } catch (RuntimeException e) {
            log.debug("Watchdog is stopping: {}", e.toString());
          }
        }
      }
    }

    @Override
    public void onPong(String pattern) {
      lastPongNanos = System.nanoTime();
    }

    @Override
    public void onMessage(String channel, String message) {
      lastPongNanos = System.nanoTime();
      if (channel.equals(keys.broadcastChannel())) {
        int sep = message.indexOf('\n');
        if (sep < 0 || message.substring(0, sep).equals(nodeEsc)) {
          return;
        }
        deliver(message.substring(sep + 1));
      } else {
        try {
          NodeBatch.split(message, RedisClusterBus.this::deliver);
        } catch (IllegalArgumentException e) {
          log.warn("Node '{}' ignores the rest of a malformed bus batch: {}", nodeId, e.toString());
        }
      }
    }
  }
}

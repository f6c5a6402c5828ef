package dev.flowsync.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

@DisplayName("RedisClusterBus")
class RedisClusterBusIntegrationTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private RedisFixture fixture;
  private Node a;
  private Node b;
  private Node c;

  /** One cluster node: its own stores bundle (own pool, own subscriber) and what it received. */
  record Node(String id, RedisClusterBus bus, List<String> received) {
    static Node start(RedisStores stores, String id) {
      List<String> received = new CopyOnWriteArrayList<>();
      RedisClusterBus bus = stores.clusterBus();
      bus.start(id, received::add);
      await().atMost(TIMEOUT).until(bus::isHealthy);
      return new Node(id, bus, received);
    }
  }

  @BeforeEach
  void setUp() {
    fixture = new RedisFixture();
    String run = fixture.prefix.substring(8, 16);
    a = Node.start(fixture.newStores(), "a-" + run);
    b = Node.start(fixture.newStores(), "b-" + run);
    c = Node.start(fixture.newStores(), "c-" + run);
  }

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  /**
   * Sends a marker to the node and waits for it: pub/sub keeps the order of publishes, so anything
   * published to that node before the marker and not received by then was never delivered.
   */
  private void drain(Node sender, Node target) {
    String marker = "marker-" + System.nanoTime();
    sender.bus().sendToNode(target.id(), marker);
    await().atMost(TIMEOUT).until(() -> target.received().contains(marker));
    target.received().remove(marker);
  }

  @Test
  @DisplayName("a targeted message reaches only the node it is sent to")
  void sendToNode() {
    a.bus().sendToNode(b.id(), "signal for b");
    await().atMost(TIMEOUT).until(() -> b.received().contains("signal for b"));
    drain(b, a);
    drain(b, c);
    assertThat(a.received()).isEmpty();
    assertThat(c.received()).isEmpty();
  }

  @Test
  @DisplayName(
      "targeted messages to a node nobody listens for are reported undelivered, delivered ones not")
  void undeliveredIsReported() {
    List<String> undelivered = new CopyOnWriteArrayList<>();
    RedisClusterBus bus = fixture.newStores().clusterBus();
    bus.start(
        "sender-" + System.nanoTime(),
        new dev.flowsync.core.cluster.ClusterBus.ClusterListener() {
          @Override
          public void onMessage(String payload) {}

          @Override
          public void onUndelivered(String nodeId, String payload) {
            undelivered.add(nodeId + " " + payload);
          }
        });
    await().atMost(TIMEOUT).until(bus::isHealthy);
    bus.sendToNode(b.id(), "for b");
    await().atMost(TIMEOUT).until(() -> b.received().contains("for b"));
    String gone = "gone-" + System.nanoTime(); // a node that died: nothing subscribes for it
    List<String> expected = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      bus.sendToNode(gone, "signal " + i); // back to back, so most leave in batches
      expected.add(gone + " signal " + i);
    }
    await().atMost(TIMEOUT).until(() -> undelivered.size() >= 50);
    assertThat(undelivered).containsExactlyElementsOf(expected);
  }

  @Test
  @DisplayName(
      "targeted messages sent from many threads at once all arrive, each thread's in its order")
  void sendToNodeConcurrently() throws Exception {
    int threads = 8;
    int each = 2_000;
    List<Thread> senders = new java.util.ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread sender =
          new Thread(
              () -> {
                for (int i = 0; i < each; i++) {
                  a.bus().sendToNode(b.id(), thread + ":" + i);
                }
              });
      sender.start();
      senders.add(sender);
    }
    for (Thread t : senders) {
      t.join();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> b.received().size() >= threads * each);
    int[] next = new int[threads];
    for (String m : b.received()) {
      int colon = m.indexOf(':');
      int thread = Integer.parseInt(m.substring(0, colon));
      assertThat(Integer.parseInt(m.substring(colon + 1))).as(m).isEqualTo(next[thread]++);
    }
    assertThat(next).containsOnly(each);
  }

  @Test
  @DisplayName("a room message reaches the nodes with members in the room, never the sender")
  void publishToRoom() {
    a.bus().joinRoom("r1");
    b.bus().joinRoom("r1");
    c.bus().joinRoom("other");
    assertThat(fixture.admin.smembers(fixture.prefix + "bus:interest:r1"))
        .containsExactlyInAnyOrder(a.id(), b.id());

    a.bus().publishToRoom("r1", "{\"type\":\"member.joined\"}");
    await().atMost(TIMEOUT).until(() -> b.received().contains("{\"type\":\"member.joined\"}"));
    drain(b, a);
    drain(b, c);
    assertThat(a.received()).isEmpty();
    assertThat(c.received()).isEmpty();

    a.bus().publishToRoom("empty-room", "nobody");
    drain(a, b);
    drain(a, c);
    assertThat(b.received()).containsExactly("{\"type\":\"member.joined\"}");
    assertThat(c.received()).isEmpty();
  }

  @Test
  @DisplayName("after leaving a room a node no longer gets its messages")
  void leaveRoom() {
    b.bus().joinRoom("r1");
    b.bus().leaveRoom("r1");
    a.bus().publishToRoom("r1", "too late");
    drain(a, b);
    assertThat(b.received()).isEmpty();
    assertThat(fixture.admin.exists(fixture.prefix + "bus:interest:r1")).isFalse();
  }

  @Test
  @DisplayName("a broadcast reaches every other node, not the sender")
  void broadcast() {
    a.bus().broadcast("line 1\nline 2");
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                b.received().contains("line 1\nline 2") && c.received().contains("line 1\nline 2"));
    drain(b, a);
    assertThat(a.received()).isEmpty();
  }

  @Test
  @DisplayName("a node that died without leaving is dropped from the room on the next publish")
  void deadNodeIsPruned() {
    b.bus().joinRoom("r1");
    // What a node killed with -9 leaves behind: interest, but no subscriber on its channel.
    fixture.admin.sadd(fixture.prefix + "bus:interest:r1", "ghost");
    fixture.admin.sadd(fixture.prefix + "bus:rooms-of:ghost", "r1");
    a.bus().publishToRoom("r1", "hello");
    await().atMost(TIMEOUT).until(() -> b.received().contains("hello"));
    assertThat(fixture.admin.smembers(fixture.prefix + "bus:interest:r1")).containsExactly(b.id());
    assertThat(fixture.admin.exists(fixture.prefix + "bus:rooms-of:ghost")).isFalse();
  }

  @Test
  @DisplayName("a node that closes its bus withdraws its room interest")
  void closeWithdrawsInterest() {
    b.bus().joinRoom("r1");
    c.bus().joinRoom("r1");
    c.bus().joinRoom("r2");
    c.bus().close();
    assertThat(fixture.admin.smembers(fixture.prefix + "bus:interest:r1")).containsExactly(b.id());
    assertThat(fixture.admin.exists(fixture.prefix + "bus:interest:r2")).isFalse();
    assertThat(c.bus().isHealthy()).isFalse();
  }

  @Test
  @DisplayName("when its subscriber connection is killed, a node resubscribes and gets messages")
  void recoversFromKilledSubscription() {
    b.bus().joinRoom("r1");
    String name = b.bus().clientName();
    String killedId = subscriberClientId(fixture.admin, name);
    assertThat(killedId).as("subscriber connection named %s", name).isNotNull();

    // Only b's subscriber, by id: the Redis server is shared with other test runs.
    fixture.admin.sendCommand(redis.clients.jedis.Protocol.Command.CLIENT, "KILL", "ID", killedId);
    a.bus().publishToRoom("r1", "lost while b was away");

    await()
        .atMost(TIMEOUT)
        .until(
            () -> {
              String id = subscriberClientId(fixture.admin, name);
              return id != null && !id.equals(killedId);
            });
    AtomicInteger n = new AtomicInteger();
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              a.bus().publishToRoom("r1", "after " + n.incrementAndGet());
              a.bus().sendToNode(b.id(), "direct " + n.get());
              return b.received().stream().anyMatch(m -> m.startsWith("after "))
                  && b.received().stream().anyMatch(m -> m.startsWith("direct "));
            });
    await().atMost(TIMEOUT).until(b.bus()::isHealthy);
  }

  @Test
  @DisplayName("an idle subscription stays up: the watchdog's pings are answered")
  void idleSubscriptionStaysHealthy() {
    int lost = b.bus().lostSubscriptions();
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(8))
        .until(() -> b.bus().isHealthy() && b.bus().lostSubscriptions() == lost);
  }

  @Test
  @DisplayName("a listener that throws does not stop later deliveries")
  void failingListener() {
    RedisClusterBus bus = fixture.newStores().clusterBus();
    List<String> seen = new CopyOnWriteArrayList<>();
    bus.start(
        "fragile-" + fixture.prefix,
        payload -> {
          seen.add(payload);
          throw new IllegalStateException("listener bug");
        });
    await().atMost(TIMEOUT).until(bus::isHealthy);
    a.bus().sendToNode(bus.nodeId(), "one");
    a.bus().sendToNode(bus.nodeId(), "two");
    await().atMost(TIMEOUT).until(() -> seen.contains("two"));
    assertThat(bus.isHealthy()).isTrue();
  }

  /** The id of the connection with that name that is in pub/sub mode, or null. */
  static String subscriberClientId(JedisPooled admin, String name) {
    Object list =
        admin.sendCommand(redis.clients.jedis.Protocol.Command.CLIENT, "LIST", "TYPE", "pubsub");
    String text = redis.clients.jedis.util.SafeEncoder.encode((byte[]) list);
    for (String line : text.split("\n")) {
      if (line.contains(" name=" + name + " ")) {
        for (String field : line.split(" ")) {
          if (field.startsWith("id=")) {
            return field.substring(3);
          }
        }
      }
    }
    return null;
  }
}

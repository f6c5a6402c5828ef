package dev.flowsync.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * A set of {@link Client}s of one generator process: clients {@code from..to-1} of a run, in rooms
 * {@code r<index / roomSize>}. Connects them at a fixed rate with a bound on handshakes in flight,
 * over a bounded number of JDK {@link HttpClient}s (each has one selector thread).
 */
final class Swarm {
  final List<Client> clients = new ArrayList<>();
  final Stats stats = new Stats();
  private final HttpClient[] https;
  private final ExecutorService executor;
  private final List<URI> uris;

  Swarm(
      List<URI> uris,
      List<String> tokens,
      int from,
      int to,
      int roomSize,
      String roomPrefix,
      int httpClients,
      int executorThreads,
      int nioLoops) {
    this.uris = uris;
    AtomicInteger n = new AtomicInteger();
    ThreadFactory tf =
        r -> {
          Thread t = new Thread(r, "gen-exec-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    this.executor = executorThreads > 0 ? Executors.newFixedThreadPool(executorThreads, tf) : null;
    // nioLoops > 0: the lean NIO transport instead of the JDK client.
    this.https = new HttpClient[nioLoops > 0 ? 1 : Math.max(1, httpClients)];
    for (int i = 0; i < https.length && nioLoops <= 0; i++) {
      HttpClient.Builder b = HttpClient.newBuilder();
      if (executor != null) {
        b.executor(executor);
      } else if (executorThreads < 0) {
        // Listener calls run on the client's selector thread: no hand-off per read.
        b.executor(Runnable::run);
      }
      https[i] = b.build();
    }
    NioLoop[] loops = new NioLoop[Math.max(0, nioLoops)];
    for (int i = 0; i < loops.length; i++) {
      loops[i] = new NioLoop(i);
      loops[i].start();
    }
    for (int i = from; i < to; i++) {
      String token = tokens == null ? "bench" : tokens.get(i);
      String room = roomPrefix + (i / roomSize);
      clients.add(
          loops.length > 0
              ? new NioClient(i, room, token, stats, loops[i % loops.length])
              : new Client(i, room, token, stats));
    }
  }

  /** Connects (hello) every client at {@code rate} per second; returns when all are done. */
  void connectAll(double rate, int inflight, boolean join, long timeoutSeconds) {
    run(
        rate,
        inflight,
        timeoutSeconds,
        c -> {
          CompletableFuture<Long> f =
              c.open(https[c.index % https.length], uris.get(c.index % uris.size()));
          return join ? f.thenCompose(openNs -> c.join().thenApply(joinNs -> openNs + joinNs)) : f;
        },
        join ? stats.connectJoin : null);
  }

  /** Joins every (already connected) client at {@code rate} per second, {@code <= 0}: at once. */
  void joinAll(double rate, int inflight, long timeoutSeconds) {
    run(rate, inflight, timeoutSeconds, Client::join, stats.joinOnly);
  }

  private void run(
      double rate,
      int inflight,
      long timeoutSeconds,
      Function<Client, CompletableFuture<Long>> action,
      Histogram histogram) {
    Semaphore permits = new Semaphore(inflight);
    CountDownLatch done = new CountDownLatch(clients.size());
    long start = System.nanoTime();
    for (int i = 0; i < clients.size(); i++) {
      Client c = clients.get(i);
      if (rate > 0) {
        long due = start + (long) (i * 1e9 / rate);
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
          LockSupport.parkNanos(wait);
        }
      }
      permits.acquireUninterruptibly();
      CompletableFuture<Long> f;
      try {
        f = action.apply(c);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      f.whenComplete(
          (ns, e) -> {
            permits.release();
            if (e != null) {
              stats.error(stats.connectErrors, "client " + c.index + ": " + Client.unwrap(e));
            } else {
              if (histogram != null) {
                histogram.record(ns / 1000);
              }
              if (histogram == stats.connectJoin || histogram == stats.joinOnly) {
                stats.joined.increment();
              }
            }
            done.countDown();
          });
    }
    try {
      if (!done.await(timeoutSeconds, TimeUnit.SECONDS)) {
        stats.error(
            stats.connectErrors,
            "timed out after "
                + timeoutSeconds
                + " s with "
                + done.getCount()
                + " clients pending");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Tells every client who else is in its room (by connection id), for targeted signals. */
  void introducePeers() {
    java.util.Map<String, List<Client>> byRoom = new java.util.HashMap<>();
    for (Client c : clients) {
      if (c.connectionId != null) {
        byRoom.computeIfAbsent(c.room, r -> new ArrayList<>()).add(c);
      }
    }
    for (List<Client> members : byRoom.values()) {
      for (Client c : members) {
        c.peers = members.stream().filter(p -> p != c).toArray(Client[]::new);
      }
    }
  }

  /** Clients that can send: joined and with at least one peer. */
  List<Client> senders() {
    List<Client> ready = new ArrayList<>();
    for (Client c : clients) {
      if (c.connectionId != null && c.peers.length > 0) {
        ready.add(c);
      }
    }
    return ready;
  }

  void abortAll() {
    clients.forEach(Client::abort);
  }

  void shutdown() {
    if (executor != null) {
      executor.shutdownNow();
    }
  }
}

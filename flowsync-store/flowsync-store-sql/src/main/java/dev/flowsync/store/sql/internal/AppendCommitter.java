package dev.flowsync.store.sql.internal;

import static dev.flowsync.store.sql.internal.jooq.Tables.FS_MESSAGES;
import static dev.flowsync.store.sql.internal.jooq.Tables.FS_ROOM_SEQ;
import static org.jooq.impl.DSL.row;

import dev.flowsync.core.FlowSyncException;
import dev.flowsync.core.FlowSyncException.UnavailableException;
import dev.flowsync.core.chat.AppendResult;
import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.core.chat.NewMessage;
import dev.flowsync.store.sql.internal.jooq.tables.records.FsMessagesRecord;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jooq.CaseValueStep;
import org.jooq.CaseWhenStep;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.Row3;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for chat appends. Callers enqueue and wait (or chain to a future); each writer
 * thread takes whatever has queued up on its queue (up to a batch limit; a room always queues on
 * the same writer, so a room's appends commit and complete in order) and store it in one
 * transaction: lock the rooms' seq counters, drop duplicates by (room, userId, clientMsgId), insert
 * the rest, advance the counters, COMMIT. Only then is each caller completed, so nobody is ever
 * told "stored" before the commit. Under light load a batch is one message; under heavy load one
 * commit carries hundreds, which is where the throughput comes from.
 */
public final class AppendCommitter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AppendCommitter.class);
  private static final int MAX_ATTEMPTS = 5;
  private static final int COMPLETERS = 4;

  private final SqlDb db;
  private final int maxBatch;
  private final Duration maxWait;
  private final int maxPending;

  /** H2 write-through: the least time between two CHECKPOINTs, or null for none. */
  private final Duration checkpointInterval;

  private final Object checkpointLock = new Object();
  private final java.util.concurrent.atomic.AtomicLong commits =
      new java.util.concurrent.atomic.AtomicLong();
  private long checkpointedCommits; // guarded by checkpointLock
  private long lastCheckpointNanos; // guarded by checkpointLock
  private final AtomicInteger waiting = new AtomicInteger();

  /** One queue per writer; a room always goes to the same one (see {@link #queueOf}). */
  private final List<BlockingQueue<Pending>> queues = new ArrayList<>();

  /**
   * One thread per writer that completes the futures of {@link #appendAsync}, in the order the
   * writer committed them: what callers chain (the broadcast, the ack) runs there, so the writer is
   * already on its next transaction meanwhile.
   */
  private final List<ExecutorService> completers = new ArrayList<>();

  private final List<Thread> writers = new ArrayList<>();
  private final ScheduledExecutorService timeouts;
  private volatile boolean closed;

  private final LongAdder batches = new LongAdder();
  private final LongAdder batchedMessages = new LongAdder();

  private record Key(String room, String userId, String clientMsgId) {
    static Key of(NewMessage m) {
      return m.clientMsgId() == null ? null : new Key(m.room(), m.userId(), m.clientMsgId());
    }
  }

  private static final class Pending {
    static final int QUEUED = 0;
    static final int TAKEN = 1;
    static final int WITHDRAWN = 2;

    final NewMessage message;
    final CompletableFuture<AppendResult> result = new CompletableFuture<>();
    final AtomicInteger state = new AtomicInteger(QUEUED);
    ScheduledFuture<?> timeout;

    Pending(NewMessage message) {
      this.message = message;
    }
  }

  /**
   * @param maxBatch the most messages one transaction carries
   * @param maxPending the most appends waiting at once; beyond it appends fail at once
   * @param maxWait the longest a caller waits for its commit before giving up with unavailable
   * @param writerThreads how many transactions may be in flight at once
   * @param checkpointEachCommit H2 only: write each committed batch to the file (CHECKPOINT) before
   *     completing its appends
   */
  public AppendCommitter(
      SqlDb db,
      int maxBatch,
      int maxPending,
      Duration maxWait,
      int writerThreads,
      Duration checkpointInterval,
      String name) {
    this.db = db;
    this.checkpointInterval = checkpointInterval;
    this.lastCheckpointNanos = System.nanoTime() - Long.MAX_VALUE / 2;
    this.maxBatch = maxBatch;
    this.maxWait = maxWait;
    this.maxPending = maxPending;
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, name + "-timeouts");
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(true); // most appends commit long before their timeout
    this.timeouts = timer;
    // The broadcast and ack of committed messages cost more CPU than the commit itself: spread
    // them over more threads than there are writers (each room still on exactly one).
    for (int i = 0; i < Math.max(COMPLETERS, writerThreads); i++) {
      String completerName = name + "-done-" + i;
      completers.add(
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, completerName);
                t.setDaemon(true);
                return t;
              }));
    }
    for (int i = 0; i < writerThreads; i++) {
      BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
      queues.add(queue);
      Thread t = new Thread(() -> writeLoop(queue), name + "-" + i);
      t.setDaemon(true);
      writers.add(t);
      t.start();
    }
  }

  /** Stores the message and returns once committed; see {@code MessageStore#append}. */
  public AppendResult append(NewMessage message) {
    Pending p = enqueue(message);
    try {
      try {
        return p.result.get(maxWait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // Not yet taken: withdraw it, so it is never stored after the caller heard "failed".
        if (p.state.compareAndSet(Pending.QUEUED, Pending.WITHDRAWN)) {
          throw queuedTooLong(message, e);
        }
        // Its transaction is running; its own timeouts bound it.
        return p.result.get(maxWait.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (TimeoutException e) {
      throw new UnavailableException(
          "Storing chat message in room '" + message.room() + "': no commit within the wait limit",
          e);
    } catch (ExecutionException e) {
      throw asUnavailable(message, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("Interrupted while storing a chat message", e);
    }
  }

  /**
   * Queues the message and returns at once; the future completes after the COMMIT that stored it
   * (see {@code MessageStore#appendAsync}). A room's appends go to one writer, which commits and
   * completes them in the order they were queued, so they complete in seq order. One still queued
   * after the wait limit is withdrawn and fails, as {@link #append} would.
   */
  public CompletableFuture<AppendResult> appendAsync(NewMessage message) {
    Pending p;
    try {
      p = enqueue(message);
    } catch (UnavailableException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<AppendResult> answer = new CompletableFuture<>();
    p.timeout =
        timeouts.schedule(
            () -> {
              if (p.state.compareAndSet(Pending.QUEUED, Pending.WITHDRAWN)) {
                answer.completeExceptionally(queuedTooLong(message, null));
              }
            },
            maxWait.toMillis(),
            TimeUnit.MILLISECONDS);
    // Handed to the room's completer in commit order (or, if already committed, now: before the
    // room's next append is queued), so a room's futures complete in seq order.
    p.result.whenCompleteAsync(
        (result, failure) -> {
          ScheduledFuture<?> t = p.timeout;
          if (t != null) {
            t.cancel(false);
          }
          if (failure != null) {
            answer.completeExceptionally(asUnavailable(message, failure));
          } else {
            answer.complete(result);
          }
        },
        completerOf(message.room()));
    return answer;
  }

  private Pending enqueue(NewMessage message) {
    if (closed) {
      throw new UnavailableException("The SQL message store is closed", null);
    }
    // The database keeps microseconds: store what will be read back, and return exactly that.
    Pending p =
        new Pending(
            new NewMessage(
                message.id(),
                message.room(),
                message.userId(),
                message.name(),
                message.text(),
                message.sentAt().truncatedTo(ChronoUnit.MICROS),
                message.clientMsgId()));
    if (waiting.incrementAndGet() > maxPending) {
      int n = waiting.decrementAndGet();
      throw new UnavailableException(
          "Storing chat message in room '"
              + message.room()
              + "' failed: "
              + "the database is not keeping up ("
              + n
              + " appends waiting)",
          null);
    }
    queueOf(message.room()).add(p);
    return p;
  }

  private BlockingQueue<Pending> queueOf(String room) {
    return queues.get(shard(room));
  }

  /**
   * The room's completer. A room commits on one writer, in order, and every completion of the room
   * is handed to this one single-threaded executor in that order: so they run in seq order.
   */
  private ExecutorService completerOf(String room) {
    int h = room.hashCode();
    return completers.get(Math.floorMod(h ^ (h >>> 16), completers.size()));
  }

  /** The writer of a room. */
  private int shard(String room) {
    int h = room.hashCode();
    return Math.floorMod(h ^ (h >>> 16), queues.size());
  }

  private UnavailableException queuedTooLong(NewMessage message, Throwable cause) {
    return new UnavailableException(
        "Storing chat message in room '"
            + message.room()
            + "' timed out after "
            + maxWait.toMillis()
            + " ms in the queue",
        cause);
  }

  private static UnavailableException asUnavailable(NewMessage message, Throwable cause) {
    if (cause instanceof UnavailableException u) {
      return u;
    }
    if (cause instanceof FlowSyncException f) {
      return new UnavailableException(f.getMessage(), f);
    }
    return SqlDb.unavailable("Storing chat message in room '" + message.room() + "'", cause);
  }

  /** Transactions committed so far (for benchmarks and metrics). */
  public long batches() {
    return batches.sum();
  }

  /** Messages those transactions carried. */
  public long batchedMessages() {
    return batchedMessages.sum();
  }

  @Override
  public void close() {
    closed = true;
    for (Thread t : writers) {
      t.interrupt();
    }
    for (Thread t : writers) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    timeouts.shutdownNow();
    for (BlockingQueue<Pending> queue : queues) {
      Pending p;
      while ((p = queue.poll()) != null) {
        waiting.decrementAndGet();
        p.result.completeExceptionally(
            new UnavailableException("The SQL message store was closed", null));
      }
    }
    completers.forEach(ExecutorService::shutdown); // after the failures above are handed over
  }

  private void writeLoop(BlockingQueue<Pending> queue) {
    List<Pending> batch = new ArrayList<>(maxBatch);
    while (!closed) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.clear();
        batch.add(first);
        queue.drainTo(batch, maxBatch - 1);
        waiting.addAndGet(-batch.size());
        commit(queue, batch);
      } catch (InterruptedException e) {
        if (closed) {
          return;
        }
      } catch (RuntimeException e) {
        log.error("Chat append writer failed unexpectedly; continuing", e);
        for (Pending p : batch) {
          p.result.completeExceptionally(e);
        }
      }
    }
  }

  private void commit(BlockingQueue<Pending> queue, List<Pending> batch) {
    // A caller that timed out cancelled its entry: never store what was reported as failed.
    List<Pending> live = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      if (p.state.get() == Pending.TAKEN || p.state.compareAndSet(Pending.QUEUED, Pending.TAKEN)) {
        live.add(p);
      }
    }
    if (live.isEmpty()) {
      return;
    }
    RuntimeException failure =
        new UnavailableException(
            "Storing chat messages failed: too many conflicting retries", null);
    boolean optimistic = !hasRepeatedKey(live);
    int counterRounds = 0;
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      boolean fast = optimistic;
      try {
        Map<Pending, AppendResult> results =
            db.transaction(
                "Storing " + live.size() + " chat message(s)", dsl -> store(dsl, live, fast));
        batches.increment();
        batchedMessages.add(live.size());
        if (checkpointInterval != null) {
          checkpointUpTo(commits.incrementAndGet());
        }
        for (Pending p : live) {
          p.result.complete(results.get(p));
        }
        return;
      } catch (MissingCounters e) {
        // First message of a room: create its counter committed on its own, then run the batch
        // again. Inside the batch's transaction two nodes creating one counter would collide on
        // an uncommitted row, which H2 reports as a key violation instead of waiting.
        try {
          createCounters(e.rooms);
        } catch (UnavailableException createFailed) {
          failure = createFailed;
          if (!SqlDb.isRetryable(createFailed)) {
            break;
          }
        }
        attempt--;
        if (++counterRounds > MAX_ATTEMPTS) {
          break;
        }
      } catch (SqlDb.Retry e) {
        failure =
            new UnavailableException(
                "Storing chat messages failed: concurrent resends kept conflicting", null);
        if (optimistic) {
          optimistic = false; // a resend met its stored original: sort it out by reading first
          attempt--;
        }
      } catch (UnavailableException e) {
        failure = e;
        if (SqlDb.isDataError(e) && live.size() > 1) {
          // One message the database refuses must not fail the others that shared its batch.
          for (Pending p : live) {
            commit(queue, List.of(p));
          }
          return;
        }
        if (!SqlDb.isRetryable(e)) {
          break;
        }
        log.debug("Retrying chat batch after {}", e.getMessage());
        backOff(attempt);
      }
    }
    for (Pending p : live) {
      p.result.completeExceptionally(failure);
    }
    if (SqlDb.isConnectionFailure(failure)) {
      // The database is unreachable: what queued meanwhile would wait a pool timeout only to
      // fail the same way. Fail it now; appends arriving after this try again.
      List<Pending> queued = new ArrayList<>();
      queue.drainTo(queued);
      waiting.addAndGet(-queued.size());
      for (Pending p : queued) {
        if (p.state.compareAndSet(Pending.QUEUED, Pending.TAKEN)) {
          p.result.completeExceptionally(failure);
        }
      }
    }
  }

  /**
   * Returns once H2 has written commit number {@code commit} (and all before it) to its file, so
   * the acks that follow survive a crash of the process. Each CHECKPOINT writes one chunk, which H2
   * keeps for its RETENTION_TIME: so at most one per interval, covering every commit made before it
   * started, and the writers waiting meanwhile gather bigger batches. The batch is committed
   * whatever happens here: a failure only means H2's background writer stores it a moment later, so
   * it is logged, not reported to the senders.
   */
  private void checkpointUpTo(long commit) {
    synchronized (checkpointLock) {
      if (checkpointedCommits >= commit) {
        return; // a CHECKPOINT that started after this commit has finished meanwhile
      }
      long wait = lastCheckpointNanos + checkpointInterval.toNanos() - System.nanoTime();
      if (wait > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(wait);
      }
      long upTo = commits.get();
      lastCheckpointNanos = System.nanoTime();
      try {
        db.run("Writing committed chat to the H2 file", dsl -> dsl.execute("CHECKPOINT"));
      } catch (UnavailableException e) {
        log.warn("{}; H2 writes it within its WRITE_DELAY instead", e.getMessage());
      }
      checkpointedCommits = upTo;
    }
  }

  // A conflict with another writer clears when its transaction ends: wait a little, with jitter
  // so two writers do not meet again in step.
  private static void backOff(int attempt) {
    long millis = java.util.concurrent.ThreadLocalRandom.current().nextLong(1, 5L << attempt);
    java.util.concurrent.locks.LockSupport.parkNanos(millis * 1_000_000L);
  }

  /** Signals that rooms of the batch have no seq counter yet. */
  private static final class MissingCounters extends SqlDb.Retry {
    final Set<String> rooms;

    MissingCounters(Set<String> rooms) {
      this.rooms = rooms;
    }
  }

  private void createCounters(Set<String> rooms) {
    for (String room : rooms) {
      db.run(
          "Creating the seq counter of room '" + room + "'",
          dsl -> {
            try {
              return dsl.insertInto(FS_ROOM_SEQ, FS_ROOM_SEQ.ROOM, FS_ROOM_SEQ.LAST_SEQ)
                  .values(room, 0L)
                  .onConflictDoNothing()
                  .execute();
            } catch (RuntimeException e) {
              if (SqlDb.isUniqueViolation(e)) {
                return 0; // another writer created it first: that is all we wanted
              }
              throw e;
            }
          });
    }
  }

  private static boolean hasRepeatedKey(List<Pending> batch) {
    Set<Key> keys = new java.util.HashSet<>();
    for (Pending p : batch) {
      Key k = Key.of(p.message);
      if (k != null && !keys.add(k)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Stores the batch. Optimistic: assume no message is a resend, insert everything with ON CONFLICT
   * DO NOTHING on the idempotency key (on H2 a plain INSERT, which a resend fails) and check the
   * count; on a shortfall roll back (seqs were handed out) and come back non-optimistic, which
   * looks the keys up first. The optimistic way needs three round trips per batch (lock, insert +
   * counters, commit), however many rooms.
   */
  private static Map<Pending, AppendResult> store(
      DSLContext dsl, List<Pending> batch, boolean optimistic) {
    Set<String> rooms = new TreeSet<>();
    for (Pending p : batch) {
      rooms.add(p.message.room());
    }
    Map<String, Long> lastSeq = lockCounters(dsl, rooms);
    if (lastSeq.size() < rooms.size()) {
      Set<String> missing = new TreeSet<>(rooms);
      missing.removeAll(lastSeq.keySet());
      throw new MissingCounters(missing);
    }
    Map<String, Long> before = new HashMap<>(lastSeq);

    Map<Key, ChatMessage> stored = optimistic ? new HashMap<>() : findByClientKey(dsl, batch);
    Map<Pending, AppendResult> results = new IdentityHashMap<>();
    List<ChatMessage> inserts = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      Key key = Key.of(p.message);
      ChatMessage earlier = key == null ? null : stored.get(key);
      if (earlier != null) {
        results.put(p, new AppendResult(earlier, true));
        continue;
      }
      ChatMessage message = p.message.withSeq(lastSeq.merge(p.message.room(), 1L, Long::sum));
      inserts.add(message);
      if (key != null) {
        stored.put(key, message);
      }
      results.put(p, new AppendResult(message, false));
    }
    if (inserts.isEmpty()) {
      return results;
    }
    var insert =
        dsl.insertInto(
            FS_MESSAGES,
            FS_MESSAGES.ROOM,
            FS_MESSAGES.SEQ,
            FS_MESSAGES.ID,
            FS_MESSAGES.USER_ID,
            FS_MESSAGES.NAME,
            FS_MESSAGES.TEXT,
            FS_MESSAGES.SENT_AT,
            FS_MESSAGES.CLIENT_MSG_ID);
    for (ChatMessage m : inserts) {
      insert =
          insert.values(
              m.room(),
              m.seq(),
              m.id(),
              m.userId(),
              m.name(),
              m.text(),
              m.sentAt(),
              m.clientMsgId());
    }
    // All advanced counters in one statement: a statement per room costs the database a parse
    // and plan each, which dominated its CPU when a batch spans many rooms.
    List<String> advanced = new ArrayList<>();
    CaseValueStep<String> byRoom = DSL.choose(FS_ROOM_SEQ.ROOM);
    CaseWhenStep<String, Long> newLast = null;
    for (Map.Entry<String, Long> e : lastSeq.entrySet()) {
      if (!e.getValue().equals(before.get(e.getKey()))) {
        advanced.add(e.getKey());
        newLast =
            newLast == null
                ? byRoom.when(e.getKey(), e.getValue())
                : newLast.when(e.getKey(), e.getValue());
      }
    }
    Query counters =
        dsl.update(FS_ROOM_SEQ)
            .set(FS_ROOM_SEQ.LAST_SEQ, newLast.otherwise(FS_ROOM_SEQ.LAST_SEQ))
            .where(FS_ROOM_SEQ.ROOM.in(advanced));
    int inserted;
    if (dsl.dialect().family() == SQLDialect.H2) {
      // H2 has no ON CONFLICT: jOOQ emulates it with a MERGE over a UNION of every row, which H2
      // parses in time and memory quadratic in the batch (millions of tokens live at 2,000
      // msgs/s, until the heap was full). A plain INSERT is enough here: the room counters are
      // locked, so only a resend can collide, and that comes back non-optimistic (keys looked up
      // first). Embedded H2 has no round trip to save, so bound values, not a static batch.
      try {
        inserted = insert.execute();
      } catch (org.jooq.exception.DataAccessException e) {
        if (optimistic && SqlDb.isUniqueViolation(e)) {
          throw new SqlDb.Retry();
        }
        throw e;
      }
      counters.execute();
    } else {
      // One round trip for the insert and every counter update.
      Query insertOrSkip =
          insert
              .onConflict(FS_MESSAGES.ROOM, FS_MESSAGES.USER_ID, FS_MESSAGES.CLIENT_MSG_ID)
              .doNothing();
      inserted = dsl.batch(insertOrSkip, counters).execute()[0];
    }
    if (inserted != inserts.size()) {
      throw new SqlDb.Retry();
    }
    return results;
  }

  /** Locks the counters of the rooms that have one, in room order so writers never deadlock. */
  private static Map<String, Long> lockCounters(DSLContext dsl, Set<String> rooms) {
    Map<String, Long> last = new TreeMap<>();
    dsl.select(FS_ROOM_SEQ.ROOM, FS_ROOM_SEQ.LAST_SEQ)
        .from(FS_ROOM_SEQ)
        .where(FS_ROOM_SEQ.ROOM.in(rooms))
        .orderBy(FS_ROOM_SEQ.ROOM)
        .forUpdate()
        .fetch()
        .forEach(r -> last.put(r.value1(), r.value2()));
    return last;
  }

  private static Map<Key, ChatMessage> findByClientKey(DSLContext dsl, List<Pending> batch) {
    List<Row3<String, String, String>> keys = new ArrayList<>();
    for (Pending p : batch) {
      if (p.message.clientMsgId() != null) {
        keys.add(DSL.row(p.message.room(), p.message.userId(), p.message.clientMsgId()));
      }
    }
    Map<Key, ChatMessage> found = new HashMap<>();
    if (keys.isEmpty()) {
      return found;
    }
    for (FsMessagesRecord r :
        dsl.selectFrom(FS_MESSAGES)
            .where(row(FS_MESSAGES.ROOM, FS_MESSAGES.USER_ID, FS_MESSAGES.CLIENT_MSG_ID).in(keys))
            .fetch()) {
      ChatMessage m = Rows.message(r);
      found.put(new Key(m.room(), m.userId(), m.clientMsgId()), m);
    }
    return found;
  }
}

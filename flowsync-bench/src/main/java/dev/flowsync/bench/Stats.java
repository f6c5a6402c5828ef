package dev.flowsync.bench;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters shared by every simulated client of one generator process. */
final class Stats {
  final Histogram connectJoin = new Histogram();
  final Histogram joinOnly = new Histogram();
  final LongAdder connected = new LongAdder();
  final LongAdder joined = new LongAdder();
  final LongAdder connectErrors = new LongAdder();
  final LongAdder protocolErrors = new LongAdder();
  final LongAdder sendErrors = new LongAdder();
  final LongAdder closedByServer = new LongAdder();
  final LongAdder events = new LongAdder();
  final LongAdder misrouted = new LongAdder();
  final AtomicLong maxQueue = new AtomicLong();
  final ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();

  /** The measured relay window: only signals stamped inside it count. */
  volatile Window window = new Window(Long.MAX_VALUE, Long.MAX_VALUE);

  void error(LongAdder counter, String sample) {
    counter.increment();
    if (errorSamples.size() < 5) {
      errorSamples.add(sample.length() > 300 ? sample.substring(0, 300) : sample);
    }
  }

  void queued(int depth) {
    long d = depth;
    long m;
    while (d > (m = maxQueue.get()) && !maxQueue.compareAndSet(m, d)) {
      // retry
    }
  }

  long errorCount() {
    return connectErrors.sum() + protocolErrors.sum() + sendErrors.sum();
  }

  /** One measurement window of a relay run, in System.nanoTime() terms. */
  static final class Window {
    final long startNs;
    final long endNs;
    final Histogram latency = new Histogram();
    final LongAdder sent = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder deliveredAll = new LongAdder();
    final LongAdder fanOut = new LongAdder();

    Window(long startNs, long endNs) {
      this.startNs = startNs;
      this.endNs = endNs;
    }

    boolean contains(long ns) {
      return ns >= startNs && ns < endNs;
    }
  }
}

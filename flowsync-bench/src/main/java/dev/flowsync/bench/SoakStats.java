package dev.flowsync.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * Client-side counters of a {@link Soak} run, shared by every {@link SoakClient}. "Errors" are what
 * a correct server never causes; races that churn causes by design (a signal to a peer that just
 * left, a timer command that does not fit the state another member just set) are counted apart so
 * that they cannot hide an error.
 */
final class SoakStats {
  final LongAdder chatSent = new LongAdder();
  final LongAdder chatAcked = new LongAdder();

  /** Chat sent on a connection that the generator itself dropped before the ack came. */
  final LongAdder chatInFlightAtDrop = new LongAdder();

  final LongAdder signalsSent = new LongAdder();
  final LongAdder signalsReceived = new LongAdder();
  final LongAdder misrouted = new LongAdder();

  /** {@code peer_not_found}: the target left or dropped while the signal was on its way. */
  final LongAdder peerGone = new LongAdder();

  final LongAdder states = new LongAdder();
  final LongAdder timerCommands = new LongAdder();

  /** {@code conflict}: e.g. pause while another member's pause made it paused already. */
  final LongAdder timerConflicts = new LongAdder();

  final LongAdder timerBroadcasts = new LongAdder();

  final LongAdder connects = new LongAdder();
  final LongAdder joins = new LongAdder();
  final LongAdder leaves = new LongAdder();
  final LongAdder resumes = new LongAdder();
  final LongAdder drops = new LongAdder();
  final LongAdder closes = new LongAdder();
  final LongAdder events = new LongAdder();

  /** Wrong answers: an unexpected error code or close, a failed resume, a misrouted signal. */
  final LongAdder errors = new LongAdder();

  /** Sends the driver skipped because the chosen client was not ready (busy, or waiting). */
  final LongAdder skipped = new LongAdder();

  /** No answer in time (30 s for a request; the server's 10 s for hello). */
  final LongAdder timeouts = new LongAdder();

  /** Answers that came after their request had timed out. */
  final LongAdder lateReplies = new LongAdder();

  final ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<String> timeoutSamples = new ConcurrentLinkedQueue<>();

  /** Every acknowledged chat message: room, then seq to message id. */
  final Map<String, Map<Long, String>> acked = new ConcurrentHashMap<>();

  /** Ack round trips (microseconds) of the current sampling interval; swapped by the sampler. */
  volatile Histogram ackLatency = new Histogram();

  /** One-way signal latency (microseconds) of the current sampling interval. */
  volatile Histogram signalLatency = new Histogram();

  final Histogram ackLatencyAll = new Histogram();
  final Histogram signalLatencyAll = new Histogram();

  void error(String sample) {
    errors.increment();
    if (errorSamples.size() < 20) {
      errorSamples.add(sample.length() > 300 ? sample.substring(0, 300) : sample);
    }
  }

  void timeout(String sample) {
    timeouts.increment();
    if (timeoutSamples.size() < 5) {
      timeoutSamples.add(sample.length() > 300 ? sample.substring(0, 300) : sample);
    }
  }

  /** A failed request or churn step: a timeout, a wrong answer, or nothing (connection gone). */
  void failure(String who, Throwable failure) {
    Throwable t = Client.unwrap(failure);
    if (t instanceof SoakClient.Dropped) {
      return;
    }
    if (t instanceof java.util.concurrent.TimeoutException) {
      timeout(who + ": no reply within 30 s");
    } else {
      error(who + ": " + t);
    }
  }

  void acked(String room, long seq, String id, long latencyMicros) {
    chatAcked.increment();
    acked.computeIfAbsent(room, r -> new ConcurrentHashMap<>()).put(seq, id);
    ackLatency.record(latencyMicros);
    ackLatencyAll.record(latencyMicros);
  }

  void signalReceived(long latencyMicros) {
    signalsReceived.increment();
    signalLatency.record(latencyMicros);
    signalLatencyAll.record(latencyMicros);
  }
}

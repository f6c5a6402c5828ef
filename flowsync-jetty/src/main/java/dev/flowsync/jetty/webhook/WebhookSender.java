package dev.flowsync.jetty.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.flowsync.core.FlowSync;
import dev.flowsync.core.event.FlowSyncEvent;
import dev.flowsync.core.event.MemberJoined;
import dev.flowsync.core.event.MemberLeft;
import dev.flowsync.core.event.RoomClosed;
import dev.flowsync.core.event.RoomCreated;
import dev.flowsync.core.event.TimerChanged;
import dev.flowsync.core.internal.Ids;
import dev.flowsync.core.room.Room;
import dev.flowsync.core.timer.Phase;
import dev.flowsync.signaling.protocol.Frames;
import dev.flowsync.signaling.protocol.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts FlowSync's events to a webhook receiver (PROTOCOL.md §2.1): {@code room.created}, {@code
 * room.closed}, {@code member.joined}, {@code member.left} (with {@code reason}) and {@code
 * timer.phase}, each as {@code {"id","event","room","at",...}} with {@code X-FlowSync-Signature:
 * sha256=<hex HMAC-SHA256 of the raw body>}.
 *
 * <p>Delivery is at least once: a failed attempt (no answer, or a status outside 2xx) is retried
 * with exponential backoff with the same body and {@code id}, so receivers drop repeats by id. The
 * engine is never blocked: the listener only hands the event to this sender's own thread, and a
 * bounded number of deliveries may be pending; beyond that, new events are dropped and logged.
 *
 * <pre>{@code
 * WebhookSender webhooks =
 *     WebhookSender.builder(flowSync, URI.create("https://example.org/hooks"), secret).build();
 * // ... on shutdown:
 * webhooks.close(); // stops listening, waits a little for pending deliveries
 * }</pre>
 */
public final class WebhookSender implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

  /** The header that carries the signature. */
  public static final String SIGNATURE_HEADER = "X-FlowSync-Signature";

  private final URI url;
  private final SecretKeySpec key;
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final int maxPending;
  private final Duration requestTimeout;
  private final Duration flushTimeout;
  private final HttpClient http;
  private final ScheduledExecutorService executor;
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AutoCloseable subscription;

  private WebhookSender(Builder b) {
    this.url = b.url;
    this.key = new SecretKeySpec(b.secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.maxPending = b.maxPending;
    this.requestTimeout = b.requestTimeout;
    this.flushTimeout = b.flushTimeout;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "flowsync-webhooks");
              t.setDaemon(true);
              return t;
            });
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(b.requestTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.subscription = b.flowSync.subscribe(this::onEvent);
  }

  /**
   * A builder.
   *
   * @param url where events are POSTed (http or https)
   * @param secret the signing secret shared with the receiver
   */
  public static Builder builder(FlowSync flowSync, URI url, String secret) {
    return new Builder(flowSync, url, secret);
  }

  /** {@code sha256=<hex HMAC-SHA256(body, secret)>}: what receivers compare against. */
  public static String signature(byte[] body, String secret) {
    return sign(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"), body);
  }

  private static String sign(SecretKeySpec key, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every JVM", e);
    }
  }

  /** Deliveries accepted and not yet finished (delivered or given up). */
  public int pending() {
    return pending.get();
  }

  /** Deliveries the receiver acknowledged with a 2xx. */
  public long delivered() {
    return delivered.get();
  }

  /** Deliveries given up after the last attempt. */
  public long failed() {
    return failed.get();
  }

  /** Events dropped because too many deliveries were pending. */
  public long dropped() {
    return dropped.get();
  }

  private void onEvent(FlowSyncEvent event) {
    ObjectNode body = toJson(event);
    if (body == null) {
      return;
    }
    if (pending.incrementAndGet() > maxPending) {
      pending.decrementAndGet();
      dropped.incrementAndGet();
      log.warn(
          "Webhook queue is full ({} pending): dropped a {} event",
          maxPending,
          body.get("event").asText());
      return;
    }
    byte[] raw = Json.write(body).getBytes(StandardCharsets.UTF_8);
    Delivery d = new Delivery(body.get("id").asText(), body.get("event").asText(), raw);
    try {
      executor.execute(() -> attempt(d, 1));
    } catch (RuntimeException e) { // shut down meanwhile
      pending.decrementAndGet();
    }
  }

  private record Delivery(String id, String event, byte[] body) {}

  private void attempt(Delivery d, int attempt) {
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(requestTimeout)
            .header("Content-Type", "application/json")
            .header("User-Agent", "FlowSync-Webhooks/1")
            .header("X-FlowSync-Event", d.event())
            .header("X-FlowSync-Delivery", d.id())
            .header(SIGNATURE_HEADER, sign(key, d.body()))
            .POST(HttpRequest.BodyPublishers.ofByteArray(d.body()))
            .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, error) -> {
              if (error == null && response.statusCode() / 100 == 2) {
                delivered.incrementAndGet();
                pending.decrementAndGet();
                return;
              }
              String why =
                  error != null
                      ? error.getClass().getSimpleName()
                      : "HTTP " + response.statusCode();
              if (attempt >= maxAttempts) {
                failed.incrementAndGet();
                pending.decrementAndGet();
                log.warn(
                    "Webhook {} {} not delivered after {} attempts ({})",
                    d.event(),
                    d.id(),
                    attempt,
                    why);
                return;
              }
              long delay =
                  Math.min(
                      maxBackoff.toMillis(), initialBackoff.toMillis() * (1L << (attempt - 1)));
              log.debug(
                  "Webhook {} attempt {} failed ({}); retrying in {} ms",
                  d.id(),
                  attempt,
                  why,
                  delay);
              try {
                executor.schedule(() -> attempt(d, attempt + 1), delay, TimeUnit.MILLISECONDS);
              } catch (RuntimeException e) {
                pending.decrementAndGet();
              }
            });
  }

  private ObjectNode toJson(FlowSyncEvent event) {
    ObjectNode json = Json.object();
    json.put("id", Ids.random("wh_", 12));
    if (event instanceof RoomCreated e) {
      header(json, "room.created", e.roomId(), e);
      Room r = e.room();
      json.put("name", r.name());
      json.put("capacity", r.capacity());
      json.put("private", r.isPrivate());
      json.put("timerControl", r.timerControl().wireName());
      json.putRawValue("meta", new RawValue(r.metaJson()));
    } else if (event instanceof RoomClosed e) {
      header(json, "room.closed", e.roomId(), e);
      json.put("memberCount", e.members().size());
    } else if (event instanceof MemberJoined e) {
      header(json, "member.joined", e.roomId(), e);
      json.set("member", Frames.member(e.member()));
    } else if (event instanceof MemberLeft e) {
      header(json, "member.left", e.roomId(), e);
      json.set("member", Frames.member(e.member()));
      json.put("reason", e.reason().wireName());
      if (e.detail() != null) {
        json.put("detail", e.detail());
      }
    } else if (event instanceof TimerChanged e && e.phaseStarted()) {
      header(json, "timer.phase", e.roomId(), e);
      Phase phase = e.timer().currentPhase();
      json.put("status", e.timer().status().wireName());
      if (phase == null) {
        json.putNull("phase");
      } else {
        json.put("phase", phase.name());
      }
      json.set("timer", Frames.timer(e.timer()));
    } else {
      return null;
    }
    return json;
  }

  private static void header(ObjectNode json, String type, String room, FlowSyncEvent e) {
    json.put("event", type);
    json.put("room", room);
    json.put("at", e.at().toEpochMilli());
  }

  /**
   * Stops listening and waits up to the flush timeout for pending deliveries, then gives up the
   * rest (they are logged as not delivered only by count: the receiver may reconcile via the API).
   */
  @Override
  public void close() {
    try {
      subscription.close();
    } catch (Exception e) {
      // removing a listener does not fail
    }
    long deadline = System.nanoTime() + flushTimeout.toNanos();
    while (pending.get() > 0 && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    int left = pending.get();
    if (left > 0) {
      log.warn("Shutting down with {} webhook deliveries still pending", left);
    }
    executor.shutdownNow();
  }

  /** Configures a {@link WebhookSender}. */
  public static final class Builder {
    private final FlowSync flowSync;
    private final URI url;
    private final String secret;
    private int maxAttempts = 8;
    private Duration initialBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofMinutes(1);
    private int maxPending = 10_000;
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Duration flushTimeout = Duration.ofSeconds(5);

    private Builder(FlowSync flowSync, URI url, String secret) {
      this.flowSync = Objects.requireNonNull(flowSync, "flowSync");
      this.url = url;
      this.secret = secret;
    }

    /** Attempts per event before it is given up; default 8 (about 1 minute of retries). */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The wait before the first retry, doubled per attempt up to {@link #maxBackoff}. */
    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = initialBackoff;
      return this;
    }

    /** The longest wait between attempts; default 1 minute. */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = maxBackoff;
      return this;
    }

    /** Deliveries that may be pending at once; beyond, events are dropped. Default 10,000. */
    public Builder maxPending(int maxPending) {
      this.maxPending = maxPending;
      return this;
    }

    /** Connect and answer timeout per attempt; default 10 s. */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    /** How long {@link #close()} waits for pending deliveries; default 5 s. */
    public Builder flushTimeout(Duration flushTimeout) {
      this.flushTimeout = flushTimeout;
      return this;
    }

    /**
     * Validates and starts listening.
     *
     * @throws IllegalArgumentException naming the invalid setting
     */
    public WebhookSender build() {
      if (url == null
          || url.getScheme() == null
          || !(url.getScheme().equals("http") || url.getScheme().equals("https"))
          || url.getHost() == null) {
        throw new IllegalArgumentException(
            "Webhook url must be an absolute http(s) url (FLOWSYNC_WEBHOOK_URL), was " + url);
      }
      if (secret == null || secret.length() < 16) {
        throw new IllegalArgumentException(
            "Webhook secret must be at least 16 characters (FLOWSYNC_WEBHOOK_SECRET)");
      }
      require(maxAttempts >= 1, "maxAttempts must be >= 1, was " + maxAttempts);
      require(
          initialBackoff != null && !initialBackoff.isNegative(),
          "initialBackoff must be >= 0, was " + initialBackoff);
      require(
          maxBackoff != null && maxBackoff.compareTo(initialBackoff) >= 0,
          "maxBackoff must be >= initialBackoff, was " + maxBackoff);
      require(maxPending >= 1, "maxPending must be >= 1, was " + maxPending);
      require(
          requestTimeout != null && requestTimeout.toMillis() >= 1,
          "requestTimeout must be > 0, was " + requestTimeout);
      require(
          flushTimeout != null && !flushTimeout.isNegative(),
          "flushTimeout must be >= 0, was " + flushTimeout);
      return new WebhookSender(this);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}

package dev.flowsync.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw WebSocket client for tests, on the JDK's client: it sends exact text (or binary) and
 * records every frame received in order (parsed, and as raw text), the pings seen and the close
 * code. Tests speak the wire protocol through it exactly as a user's own client would, which is why
 * it does not use FlowSync's Java client.
 */
public class WsTestClient implements WebSocket.Listener, AutoCloseable {
  /** Parses frames; tests may use it for HTTP bodies too. */
  public static final ObjectMapper JSON = new ObjectMapper();

  /** Every text frame received, in order, as sent by the server. */
  public final List<String> texts = new CopyOnWriteArrayList<>();

  /** Completes with the close code the server sent, or exceptionally on a transport error. */
  public final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

  /** How many pings the server sent. */
  public final AtomicInteger pings = new AtomicInteger();

  private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();
  private final boolean reading;
  private final Duration defaultWait;
  private final WebSocket socket;

  /** Connects, reads every frame, and waits up to 5 s in {@link #await(String)}. */
  public WsTestClient(URI uri) {
    this(uri, true, Duration.ofSeconds(5));
  }

  /**
   * Connects.
   *
   * @param reading false for a client that never asks for frames: a consumer that stalls
   * @param defaultWait how long {@link #await(String)} and {@link #next()} wait
   */
  public WsTestClient(URI uri, boolean reading, Duration defaultWait) {
    this.reading = reading;
    this.defaultWait = defaultWait;
    socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .buildAsync(uri, this)
            .join();
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    if (reading) {
      webSocket.request(1);
    }
  }

  public void send(String text) {
    socket.sendText(text, true).join();
  }

  public CompletableFuture<WebSocket> sendAsync(String text) {
    return socket.sendText(text, true);
  }

  public void sendBinary(byte[] data) {
    socket.sendBinary(ByteBuffer.wrap(data), true).join();
  }

  /** The next frame of the given type, skipping others; fails after the default wait. */
  public JsonNode await(String type) throws InterruptedException {
    return await(type, defaultWait);
  }

  /** The next frame of the given type, skipping others; fails after {@code timeout}. */
  public JsonNode await(String type, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      JsonNode frame = frames.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
      if (frame == null) {
        throw new AssertionError("No '" + type + "' frame within " + timeout + "; got " + texts);
      }
      if (frame.path("type").asText().equals(type)) {
        return frame;
      }
    }
  }

  /** The next frame whatever its type; fails after the default wait. */
  public JsonNode next() throws InterruptedException {
    JsonNode frame = frames.poll(defaultWait.toNanos(), TimeUnit.NANOSECONDS);
    if (frame == null) {
      throw new AssertionError("No frame within " + defaultWait + "; got " + texts);
    }
    return frame;
  }

  /** Every frame received so far and not yet consumed, without waiting. */
  public List<JsonNode> drain() {
    List<JsonNode> list = new ArrayList<>();
    frames.drainTo(list);
    return list;
  }

  /** The close code the server sent; fails after 10 s. */
  public int awaitClose() throws Exception {
    return closeCode.get(10, TimeUnit.SECONDS);
  }

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      String text = partial.toString();
      partial.setLength(0);
      texts.add(text);
      try {
        frames.add(JSON.readTree(text));
      } catch (Exception e) {
        throw new IllegalStateException("Server sent invalid JSON: " + text, e);
      }
    }
    if (reading) {
      ws.request(1);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
    pings.incrementAndGet();
    if (reading) {
      ws.request(1);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
    closeCode.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket ws, Throwable error) {
    closeCode.completeExceptionally(error);
  }

  /** Drops the connection without a close frame. */
  @Override
  public void close() {
    socket.abort();
  }
}

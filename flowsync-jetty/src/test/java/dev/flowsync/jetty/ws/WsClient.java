package dev.flowsync.jetty.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw WebSocket test client on the JDK's client: sends exact text (or binary), records every
 * frame received in order, its raw text too, pings seen and the close code.
 */
final class WsClient implements WebSocket.Listener, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  final List<String> texts = new CopyOnWriteArrayList<>();
  final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  final AtomicInteger pings = new AtomicInteger();
  private final StringBuilder partial = new StringBuilder();
  private final boolean reading;
  private final WebSocket socket;

  WsClient(URI uri) {
    this(uri, true);
  }

  /** With {@code reading} false the client never asks for frames: a consumer that stalls. */
  WsClient(URI uri, boolean reading) {
    this.reading = reading;
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

  void send(String text) {
    socket.sendText(text, true).join();
  }

  CompletableFuture<WebSocket> sendAsync(String text) {
    return socket.sendText(text, true);
  }

  void sendBinary(byte[] data) {
    socket.sendBinary(ByteBuffer.wrap(data), true).join();
  }

  /** The next frame of the given type, skipping others; fails after 5 s. */
  JsonNode await(String type) throws InterruptedException {
    return await(type, Duration.ofSeconds(5));
  }

  JsonNode await(String type, Duration timeout) throws InterruptedException {
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

  /** The next frame whatever its type; fails after 5 s. */
  JsonNode next() throws InterruptedException {
    JsonNode frame = frames.poll(5, TimeUnit.SECONDS);
    if (frame == null) {
      throw new AssertionError("No frame within 5 s; got " + texts);
    }
    return frame;
  }

  /** Every frame received so far and not yet consumed, without waiting. */
  List<JsonNode> drain() {
    List<JsonNode> list = new java.util.ArrayList<>();
    frames.drainTo(list);
    return list;
  }

  int awaitClose() throws Exception {
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

  @Override
  public void close() {
    socket.abort();
  }
}

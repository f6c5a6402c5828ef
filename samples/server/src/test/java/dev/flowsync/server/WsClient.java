package dev.flowsync.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A WebSocket client as a user would write one on the JDK: send text, wait for frames by type. */
final class WsClient implements WebSocket.Listener, AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private final WebSocket socket;

  WsClient(URI uri) {
    socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .buildAsync(uri, this)
            .join();
  }

  void send(String text) {
    socket.sendText(text, true).join();
  }

  /** The next frame of the given type, skipping others; fails after 10 s. */
  JsonNode await(String type) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      JsonNode frame = frames.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (frame == null) {
        throw new AssertionError("No '" + type + "' frame within 10 s");
      }
      if (frame.path("type").asText().equals(type)) {
        return frame;
      }
    }
  }

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      try {
        frames.add(JSON.readTree(partial.toString()));
      } catch (Exception e) {
        throw new IllegalStateException("Server sent invalid JSON: " + partial, e);
      }
      partial.setLength(0);
    }
    ws.request(1);
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

package dev.flowsync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server a {@link Soak} runs against: the standalone server jar started as its own process (the
 * way an operator runs it: {@code java -Xmx.. -jar flowsync-server.jar}, settings in {@code
 * FLOWSYNC_*} variables), or one already running. Also the admin side of the HTTP API that the soak
 * needs: tokens, chat history, health.
 */
final class SoakServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING = Pattern.compile("FlowSync listening on (\\S+)");

  final URI httpUri;
  final String apiKey;

  /** The server JVM's pid, or -1 when unknown (then nothing about the process is sampled). */
  final long pid;

  private final Process process;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

  private SoakServer(URI httpUri, String apiKey, long pid, Process process) {
    this.httpUri = httpUri;
    this.apiKey = apiKey;
    this.pid = pid;
    this.process = process;
  }

  /** A server that is already running. */
  static SoakServer target(URI httpUri, String apiKey, long pid) {
    return new SoakServer(httpUri, apiKey, pid, null);
  }

  /**
   * Starts {@code java <jvmFlags> -jar <jar>} with {@code env} on top of this process's environment
   * (minus any {@code FLOWSYNC_*} of its own), its output going to {@code log}, and waits up to 60
   * s for it to print where it listens.
   */
  static SoakServer start(
      Path jar, java.util.List<String> jvmFlags, Map<String, String> env, Path log)
      throws IOException, InterruptedException {
    java.util.List<String> cmd = new java.util.ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmFlags);
    cmd.add("-jar");
    cmd.add(jar.toAbsolutePath().toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("FLOWSYNC_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    CompletableFuture<URI> listening = new CompletableFuture<>();
    Thread copier =
        new Thread(
            () -> {
              try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                  PrintWriter w = new PrintWriter(Files.newBufferedWriter(log), true)) {
                String line;
                while ((line = r.readLine()) != null) {
                  w.println(line);
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    listening.complete(URI.create(m.group(1)));
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
              listening.completeExceptionally(new IllegalStateException("server exited"));
            },
            "soak-server-output");
    copier.setDaemon(true);
    copier.start();
    try {
      URI uri = listening.get(60, TimeUnit.SECONDS);
      return new SoakServer(uri, env.get("FLOWSYNC_API_KEY"), p.pid(), p);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      p.destroyForcibly();
      throw new IllegalStateException("The server did not start; see " + log, e);
    }
  }

  URI webSocketUri() {
    return URI.create(httpUri.toString().replaceFirst("^http", "ws") + "/ws");
  }

  /** {@code POST /api/tokens} for {@code userId}, valid for every room. */
  CompletableFuture<String> issueToken(String userId, String name) {
    String body =
        JSON.createObjectNode()
            .put("userId", userId)
            .put("name", name)
            .put("ttlSeconds", 86400)
            .set("rooms", JSON.createArrayNode().add("*"))
            .toString();
    HttpRequest req =
        HttpRequest.newBuilder(httpUri.resolve("/api/tokens"))
            .header("Authorization", "Bearer " + apiKey)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
        .thenApply(res -> parse(req, res).path("token").asText());
  }

  /** A GET of the HTTP API with the admin key, e.g. {@code /api/rooms/r1/messages?afterSeq=0}. */
  JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(httpUri.resolve(pathAndQuery))
            .header("Authorization", "Bearer " + apiKey)
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build();
    return parse(req, http.send(req, HttpResponse.BodyHandlers.ofString()));
  }

  private static JsonNode parse(HttpRequest req, HttpResponse<String> res) {
    if (res.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          req.method() + " " + req.uri() + " answered " + res.statusCode() + ": " + res.body());
    }
    try {
      return JSON.readTree(res.body());
    } catch (IOException e) {
      throw new IllegalStateException("Not JSON from " + req.uri() + ": " + res.body(), e);
    }
  }

  /** SIGTERM to a server this class started, as an operator stops it; then wait for it. */
  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}

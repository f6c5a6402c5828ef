package dev.flowsync.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged server jar run as a real process, the way an operator runs it. */
final class ServerProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("FlowSync listening on (\\S+)");
  private static final Pattern KEY = Pattern.compile("Admin API key .*: (\\S+)$");

  final Process process;
  final URI httpUri;
  final String generatedKey;
  final List<String> output = new CopyOnWriteArrayList<>();

  private ServerProcess(Process process, URI httpUri, String generatedKey) {
    this.process = process;
    this.httpUri = httpUri;
    this.generatedKey = generatedKey;
  }

  /**
   * Starts {@code java -jar flowsync-server.jar} with exactly {@code env} and waits for its URL.
   */
  static ServerProcess start(Map<String, String> env, Path workDir) throws Exception {
    String jar = System.getProperty("flowsync.server.jar");
    if (jar == null) {
      throw new IllegalStateException("Run through failsafe: flowsync.server.jar is not set");
    }
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar)
            .directory(workDir.toFile())
            .redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("FLOWSYNC_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    List<String> all = new CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  all.add(line);
                  lines.add(line);
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "server-output");
    reader.setDaemon(true);
    reader.start();
    URI uri = null;
    String key = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(1, TimeUnit.SECONDS);
      if (line == null) {
        if (!p.isAlive()) {
          break;
        }
        continue;
      }
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        uri = URI.create(m.group(1));
        if (env.containsKey("FLOWSYNC_API_KEY")) {
          break;
        }
      }
      Matcher k = KEY.matcher(line);
      if (k.find()) {
        key = k.group(1);
        break;
      }
    }
    if (uri == null) {
      p.destroyForcibly();
      throw new AssertionError(
          "The server did not print its URL; output:\n" + String.join("\n", all));
    }
    ServerProcess sp = new ServerProcess(p, uri, key);
    sp.output.addAll(all);
    return sp;
  }

  URI webSocketUri() {
    return URI.create(httpUri.toString().replaceFirst("^http", "ws") + "/ws");
  }

  /** SIGTERM, then wait for the JVM to exit. */
  int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("The server did not exit within 30 s of SIGTERM");
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}

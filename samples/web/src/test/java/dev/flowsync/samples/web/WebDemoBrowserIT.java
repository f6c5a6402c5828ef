package dev.flowsync.samples.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the browser tests ({@code e2e/run-e2e.mjs}) in real headless Chromium against the real
 * standalone server jar: three pages join one room through the demo, connect a WebRTC mesh, chat,
 * share the timer, and one reloads.
 *
 * <p>The server runs in a private network namespace that has only loopback ({@code unshare -n}), so
 * WebRTC's ICE uses 127.0.0.1; the test script joins that namespace ({@code nsenter}). Without
 * Chromium, Node.js, the e2e npm packages or the right to create a namespace, the test is skipped
 * with the reason (run {@code samples/web/e2e/setup.sh}); with {@code CI=true} it fails instead.
 */
@DisplayName("The web demo in three real Chromium pages")
class WebDemoBrowserIT {
  private static final Pattern LISTENING = Pattern.compile("listening on https?://[^\\s/]*:(\\d+)");

  private final Path module = Path.of("").toAbsolutePath();
  private final Path e2e = module.resolve("e2e");
  private final Path serverJar = module.resolve("../server/target/flowsync-server.jar").normalize();
  private final List<String> log = new ArrayList<>();

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  @DisplayName("three pages call, chat and share the timer; a reloaded page rejoins with history")
  void threePagesThroughTheDemo() throws Exception {
    String chromium = System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium");
    require(Files.isExecutable(Path.of(chromium)), "Chromium not found at " + chromium);
    require(commandWorks("node", "--version"), "Node.js (node) is not on the PATH");
    require(
        Files.isDirectory(e2e.resolve("node_modules/playwright-core")),
        "the e2e npm packages are not installed in " + e2e);
    require(Files.isRegularFile(serverJar), "the server jar is not built: " + serverJar);
    require(
        commandWorks("unshare", "-n", "true"),
        "cannot create a network namespace (unshare -n needs root or CAP_SYS_ADMIN)");

    Path dataDir = Files.createTempDirectory("flowsync-web-it");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // exec: the process we hold is the server itself, so its pid names the namespace to join.
    ProcessBuilder serverCommand =
        new ProcessBuilder(
                "unshare",
                "-n",
                "bash",
                "-c",
                "ip link set lo up && exec \"$0\" -jar \"$1\"",
                java,
                serverJar.toString())
            .redirectErrorStream(true);
    Map<String, String> env = serverCommand.environment();
    env.put("FLOWSYNC_PORT", "0");
    env.put("FLOWSYNC_GUEST_TOKENS", "true");
    env.put("FLOWSYNC_DATA_DIR", dataDir.toString());

    Process server = serverCommand.start();
    try {
      CompletableFuture<String> port = new CompletableFuture<>();
      pump(
          server.getInputStream(),
          "[server] ",
          line -> {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
              port.complete(m.group(1));
            }
          });
      server.onExit().thenRun(() -> port.completeExceptionally(serverExited(server)));
      String url = "http://127.0.0.1:" + port.get(90, TimeUnit.SECONDS);

      ProcessBuilder testCommand =
          new ProcessBuilder(
                  "nsenter",
                  "-t",
                  Long.toString(server.pid()),
                  "-n",
                  "node",
                  "--test",
                  "--test-reporter=spec",
                  "client.test.mjs",
                  "run-e2e.mjs")
              .directory(e2e.toFile())
              .redirectErrorStream(true);
      testCommand.environment().put("FLOWSYNC_URL", url);
      testCommand.environment().put("CHROMIUM_PATH", chromium);
      Process tests = testCommand.start();
      pump(tests.getInputStream(), "[e2e] ", line -> {});
      boolean finished = tests.waitFor(7, TimeUnit.MINUTES);
      if (!finished) {
        tests.descendants().forEach(ProcessHandle::destroyForcibly);
        tests.destroyForcibly();
      }
      tests.getInputStream().close();
      assertThat(finished).as("the browser tests finished within 7 minutes").isTrue();
      assertThat(tests.exitValue())
          .as(
              "browser tests failed (full output above):%n%s",
              String.join(
                  "\n", snapshot().stream().filter(l -> l.contains("\u2716")).distinct().toList()))
          .isZero();
    } finally {
      server.destroy();
      if (!server.waitFor(15, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  private IllegalStateException serverExited(Process server) {
    return new IllegalStateException(
        "The server exited with "
            + server.exitValue()
            + " before it printed its URL:\n"
            + String.join("\n", snapshot()));
  }

  private synchronized List<String> snapshot() {
    return List.copyOf(log);
  }

  private synchronized void record(String line) {
    log.add(line);
  }

  private void pump(InputStream in, String prefix, Consumer<String> onLine) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  System.out.println(prefix + line);
                  record(prefix + line);
                  onLine.accept(line);
                }
              } catch (IOException e) {
                // the process ended or its stream was closed: nothing more to read
              }
            },
            "pump " + prefix.trim());
    t.setDaemon(true);
    t.start();
  }

  private static boolean commandWorks(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Skips the test with the reason, or fails it under {@code CI=true}. */
  private static void require(boolean condition, String missing) {
    if (condition) {
      return;
    }
    String message =
        "Cannot run the browser tests: "
            + missing
            + ". Run samples/web/e2e/setup.sh (installs Debian's chromium and the pinned npm packages).";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      Assertions.fail(message + " (CI=true: a missing prerequisite is a failure, not a skip)");
    }
    System.out.println("Skipping: " + message);
    Assumptions.abort(message);
  }
}

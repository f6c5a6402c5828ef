package dev.flowsync.store.sql;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server of the machine's own binaries ({@code initdb}, {@code pg_ctl}) in
 * a temporary directory, on a free port, trust auth: a test may stop and start it without touching
 * the shared database every other test uses. PostgreSQL refuses to run as root, so as root it runs
 * as the {@code postgres} user through {@code runuser}.
 */
final class PrivatePostgres implements AutoCloseable {
  private final Path bin;
  private final Path dir;
  private final int port;

  private PrivatePostgres(Path bin, Path dir, int port) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
  }

  /** The newest installed PostgreSQL's binaries, if any. */
  static Optional<Path> binaries() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
          .max(Comparator.comparing(Path::toString));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Creates a cluster and starts it; fails if the binaries are missing. */
  static PrivatePostgres start() throws Exception {
    Path bin = binaries().orElseThrow(() -> new IllegalStateException("No PostgreSQL binaries"));
    Path dir = Files.createTempDirectory("flowsync-pg-");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    PrivatePostgres pg = new PrivatePostgres(bin, dir, port);
    if (isRoot()) {
      run(List.of("chown", "postgres:postgres", dir.toString()));
    }
    pg.asOwner(
        bin.resolve("initdb").toString(),
        "-D",
        dir.resolve("data").toString(),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--no-sync");
    pg.pgCtl("start");
    return pg;
  }

  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  /** Like a crash of the database process: no checkpoint, WAL replayed at the next start. */
  void stopImmediately() throws Exception {
    asOwner(bin.resolve("pg_ctl").toString(), "-D", data(), "-m", "immediate", "-w", "stop");
  }

  void pgCtl(String action) throws Exception {
    asOwner(
        bin.resolve("pg_ctl").toString(),
        "-D",
        data(),
        "-l",
        dir.resolve("server.log").toString(),
        "-o",
        "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1",
        "-w",
        action);
  }

  @Override
  public void close() throws Exception {
    try {
      asOwner(bin.resolve("pg_ctl").toString(), "-D", data(), "-m", "immediate", "stop");
    } catch (Exception | AssertionError ignored) {
      // already stopped
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private String data() {
    return dir.resolve("data").toString();
  }

  private void asOwner(String... command) throws Exception {
    List<String> full = new ArrayList<>();
    if (isRoot()) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(List.of(command));
    run(full);
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static void run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
    }
  }
}

package dev.flowsync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The file a bench server writes once it listens: its port and pid, for run.sh. */
final class Ready {
  private Ready() {}

  static void write(String file, int port) throws IOException {
    Path target = Path.of(file);
    Path tmp = Path.of(file + ".tmp");
    Files.writeString(tmp, "port=" + port + "\npid=" + ProcessHandle.current().pid() + "\n");
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}

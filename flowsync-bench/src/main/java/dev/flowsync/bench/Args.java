package dev.flowsync.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} and {@code --flag} command-line options, with defaults. */
final class Args {
  private final Map<String, String> values = new HashMap<>();
  final String[] positional;

  Args(String[] args) {
    java.util.List<String> pos = new java.util.ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.startsWith("--")) {
        String key = a.substring(2);
        int eq = key.indexOf('=');
        if (eq >= 0) {
          values.put(key.substring(0, eq), key.substring(eq + 1));
        } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
          values.put(key, args[++i]);
        } else {
          values.put(key, "true");
        }
      } else {
        pos.add(a);
      }
    }
    positional = pos.toArray(new String[0]);
  }

  String str(String key, String def) {
    return values.getOrDefault(key, def);
  }

  int integer(String key, int def) {
    String v = values.get(key);
    return v == null ? def : Integer.parseInt(v.replace("_", "").replace("k", "000"));
  }

  double dbl(String key, double def) {
    String v = values.get(key);
    return v == null ? def : Double.parseDouble(v);
  }

  boolean flag(String key) {
    return Boolean.parseBoolean(values.getOrDefault(key, "false"));
  }
}

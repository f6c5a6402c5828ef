package dev.flowsync.store.redis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The store's tiny text format: fields joined by a newline, each field escaped so that a raw
 * newline only ever separates fields. Escaping maps {@code \} to {@code \\} and a newline to {@code
 * \n}; a field that is exactly {@code \0} stands for null. Ids are escaped the same way when they
 * become part of a key, so Lua scripts can move escaped ids between keys and values without ever
 * unescaping them.
 */
final class Codec {
  private static final String NULL = "\\0";

  private Codec() {}

  /** The id as it appears in keys, node-index entries and member values. */
  static String esc(String s) {
    if (s.indexOf('\\') < 0 && s.indexOf('\n') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        b.append("\\\\");
      } else if (c == '\n') {
        b.append("\\n");
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  static String unesc(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        b.append(n == 'n' ? '\n' : n);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** Joins fields (null allowed) into one record. */
  static String join(String... fields) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < fields.length; i++) {
      if (i > 0) {
        b.append('\n');
      }
      b.append(fields[i] == null ? NULL : esc(fields[i]));
    }
    return b.toString();
  }

  /** Joins a collection of non-null strings into one field value, led by their count. */
  static String joinAll(Collection<String> items) {
    String[] fields = new String[items.size() + 1];
    fields[0] = Integer.toString(items.size());
    int i = 1;
    for (String item : items) {
      fields[i++] = item;
    }
    return join(fields);
  }

  /** Splits a record made by {@link #join} back into its fields. */
  static List<String> split(String record) {
    List<String> fields = new ArrayList<>();
    int start = 0;
    while (true) {
      int end = record.indexOf('\n', start);
      String raw = end < 0 ? record.substring(start) : record.substring(start, end);
      fields.add(NULL.equals(raw) ? null : unesc(raw));
      if (end < 0) {
        return fields;
      }
      start = end + 1;
    }
  }

  /** Splits a field made by {@link #joinAll}. */
  static List<String> splitAll(String field) {
    List<String> fields = split(field);
    int count = Integer.parseInt(fields.get(0));
    if (fields.size() != count + 1) {
      throw new IllegalArgumentException("Corrupt list field: expected " + count + " items");
    }
    return fields.subList(1, fields.size());
  }

  /**
   * An instant as a sorted-set score: epoch milliseconds with the sub-millisecond part as a
   * fraction, so that expiry comparisons stay exact to well under a microsecond.
   */
  static double score(Instant t) {
    return t.getEpochSecond() * 1000.0 + t.getNano() / 1_000_000.0;
  }
}

package dev.flowsync.store.redis;

import dev.flowsync.testing.TestServices;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * One test's view of the shared Redis: a fresh key prefix, store bundles with their own connection
 * pools under it, and a cleanup that deletes the prefix's keys. Never flushes the server: other
 * test runs share it.
 */
final class RedisFixture implements AutoCloseable {
  final TestServices.Redis redis = TestServices.redis();
  final String prefix = redis.newKeyPrefix();
  final JedisPooled admin = new JedisPooled(redis.host(), redis.port());
  private final List<RedisStores> opened = new ArrayList<>();

  /** A bundle with its own connection pool (as a separate node would have). */
  RedisStores newStores() {
    RedisStores stores = RedisStores.builder(redis.host(), redis.port()).keyPrefix(prefix).build();
    opened.add(stores);
    return stores;
  }

  /** Every key under this fixture's prefix. */
  List<String> keys() {
    List<String> keys = new ArrayList<>();
    ScanParams params = new ScanParams().match(prefix + "*").count(500);
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> page = admin.scan(cursor, params);
      keys.addAll(page.getResult());
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    return keys;
  }

  @Override
  public void close() {
    for (RedisStores s : opened) {
      s.close();
    }
    List<String> keys = keys();
    if (!keys.isEmpty()) {
      admin.del(keys.toArray(String[]::new));
    }
    admin.close();
  }
}

/**
 * FlowSync stores on Redis (Jedis): presence with cluster-wide admission and node leases, timers
 * with versioned compare-and-set, access tokens, and the pub/sub cluster bus. Start from {@link
 * dev.flowsync.store.redis.RedisStores#builder(String, int)}.
 */
package dev.flowsync.store.redis;

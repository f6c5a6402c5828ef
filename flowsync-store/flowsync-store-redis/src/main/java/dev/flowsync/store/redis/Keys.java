package dev.flowsync.store.redis;

/**
 * Every key and channel name the Redis stores use, under one prefix. Ids are {@linkplain Codec#esc
 * escaped} before they become part of a name.
 */
final class Keys {
  final String prefix;

  Keys(String prefix) {
    this.prefix = prefix;
  }

  /** HASH connectionId → member record. */
  String room(String room) {
    return roomPrefix() + Codec.esc(room);
  }

  String roomPrefix() {
    return prefix + "presence:room:";
  }

  /** ZSET room → joinedAt (ms): the rooms of one connection, in join order. */
  String connection(String connectionId) {
    return connectionPrefix() + Codec.esc(connectionId);
  }

  String connectionPrefix() {
    return prefix + "presence:conn:";
  }

  /** SET of "room\nconnectionId" entries: the members one node holds. */
  String node(String nodeId) {
    return nodePrefix() + Codec.esc(nodeId);
  }

  String nodePrefix() {
    return prefix + "presence:node:";
  }

  /** ZSET nodeId → lease expiresAt (epoch ms). */
  String leases() {
    return prefix + "presence:leases";
  }

  /** HASH {v: version, s: timer record}. */
  String timer(String room) {
    return timerPrefix() + Codec.esc(room);
  }

  String timerPrefix() {
    return prefix + "timer:";
  }

  /** SET of rooms whose timer is running. */
  String runningTimers() {
    return prefix + "timers:running";
  }

  /** STRING token record, with a native TTL as a backstop. */
  String token(String tokenId) {
    return tokenPrefix() + Codec.esc(tokenId);
  }

  String tokenPrefix() {
    return prefix + "token:";
  }

  /** ZSET tokenId → expiresAt (epoch ms). */
  String tokenExpiry() {
    return prefix + "tokens:expiry";
  }

  /** SET of node ids that want the room's messages. */
  String roomInterest(String room) {
    return roomInterestPrefix() + Codec.esc(room);
  }

  String roomInterestPrefix() {
    return prefix + "bus:interest:";
  }

  /** SET of rooms a node has declared interest in (to replace them after a reconnect). */
  String nodeInterests(String nodeId) {
    return nodeInterestsPrefix() + Codec.esc(nodeId);
  }

  String nodeInterestsPrefix() {
    return prefix + "bus:rooms-of:";
  }

  /** Pub/sub channel of one node. */
  String nodeChannel(String nodeId) {
    return nodeChannelPrefix() + Codec.esc(nodeId);
  }

  String nodeChannelPrefix() {
    return prefix + "bus:node:";
  }

  /** Pub/sub channel every node listens to. */
  String broadcastChannel() {
    return prefix + "bus:all";
  }

  /** Entry of a node's member index. */
  static String nodeEntry(String room, String connectionId) {
    return Codec.esc(room) + "\n" + Codec.esc(connectionId);
  }
}

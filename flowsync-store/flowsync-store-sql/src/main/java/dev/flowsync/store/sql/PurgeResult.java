package dev.flowsync.store.sql;

/**
 * What one {@link SqlStores#purge} deleted.
 *
 * @param messages chat messages older than the message retention
 * @param sessions member stays that ended longer ago than the session retention
 * @param tokens access tokens that had expired
 */
public record PurgeResult(int messages, int sessions, int tokens) {}

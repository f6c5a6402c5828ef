/**
 * The SQL stores: rooms, chat messages, member sessions and access tokens in PostgreSQL
 * (production) or an embedded H2 file database, through jOOQ over any {@link javax.sql.DataSource}.
 *
 * <p>Start with {@link dev.flowsync.store.sql.SqlSchema#migrate(javax.sql.DataSource)}, then {@link
 * dev.flowsync.store.sql.SqlStores#builder(javax.sql.DataSource)}.
 */
package dev.flowsync.store.sql;

/** Internals of the SQL store: database access, the group committer, generated jOOQ classes. */
package dev.flowsync.store.sql.internal;

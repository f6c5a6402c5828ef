/** In-memory implementations of every store: thread-safe, single node, nothing persisted. */
package dev.flowsync.core.store.memory;

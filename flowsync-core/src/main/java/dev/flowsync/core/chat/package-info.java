/** Persisted chat with a gapless per-room sequence and idempotent sends. */
package dev.flowsync.core.chat;

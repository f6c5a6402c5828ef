/** The shared, server-authoritative countdown timer of a room. */
package dev.flowsync.core.timer;

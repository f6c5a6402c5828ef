/**
 * The wire protocol over any text transport: the {@link dev.flowsync.signaling.Gateway} decodes and
 * validates frames, calls the engines, and fans room events out to connections. Knows no Jetty.
 */
package dev.flowsync.signaling;

/** The {@code /ws} Jakarta WebSocket endpoint that adapts sessions to the signaling gateway. */
package dev.flowsync.jetty.ws;

/**
 * A Java client for the FlowSync wire protocol on the JDK's {@code java.net.http.WebSocket}: for
 * integration tests, bots and load generation. No dependency beyond Jackson.
 */
package dev.flowsync.signaling.client;

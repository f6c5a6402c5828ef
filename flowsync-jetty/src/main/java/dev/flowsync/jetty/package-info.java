/** FlowSync on Jetty 12: {@link dev.flowsync.jetty.FlowSyncServer} and mounting into a context. */
package dev.flowsync.jetty;

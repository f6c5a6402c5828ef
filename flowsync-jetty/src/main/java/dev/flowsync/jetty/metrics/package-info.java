/** Micrometer meters for FlowSync: connections, rooms, frames, relay latency, errors, stores. */
package dev.flowsync.jetty.metrics;

/**
 * The transport's ceiling: a bare Jetty 12 Jakarta WebSocket relay that speaks just enough of the
 * FlowSync protocol (hello, join, targeted signal, leave) for the load generator, with none of
 * FlowSync's logic. FlowSync's relay figures are reported as a ratio of this one's.
 */
package dev.flowsync.bench.relay;

/**
 * The bus between cluster nodes; a single node uses {@link
 * dev.flowsync.core.cluster.LocalClusterBus}.
 */
package dev.flowsync.core.cluster;

/**
 * FlowSync's core: the {@link dev.flowsync.core.FlowSync} entry point, error codes and paging.
 * Depends on SLF4J only.
 */
package dev.flowsync.core;

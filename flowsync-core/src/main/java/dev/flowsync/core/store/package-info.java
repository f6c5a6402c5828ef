/** The bundle of stores an instance runs on, and health checks of stores. */
package dev.flowsync.core.store;

/** Presence: members of rooms, their state, leaving, and node leases. */
package dev.flowsync.core.presence;

/** Analytics of who was in a room and for how long. */
package dev.flowsync.core.session;

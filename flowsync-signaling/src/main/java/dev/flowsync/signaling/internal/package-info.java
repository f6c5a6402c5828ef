/** Implementation details of the gateway; not API. */
package dev.flowsync.signaling.internal;

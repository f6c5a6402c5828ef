/**
 * Webhooks: FlowSync's events POSTed to a receiver, signed with HMAC-SHA256, delivered at least
 * once with retry and backoff.
 */
package dev.flowsync.jetty.webhook;

/** Finds PostgreSQL and Redis for integration tests: env, local service, Testcontainers, skip. */
package dev.flowsync.testing;

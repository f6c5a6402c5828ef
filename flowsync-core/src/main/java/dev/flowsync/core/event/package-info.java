/** Typed, past-tense events and the publisher that isolates failing listeners. */
package dev.flowsync.core.event;

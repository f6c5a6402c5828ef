/** Internals of the core engines; not API, may change without notice. */
package dev.flowsync.core.internal;

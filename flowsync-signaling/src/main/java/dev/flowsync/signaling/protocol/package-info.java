/** The JSON codec of the wire protocol: parsing with validation, and frame builders. */
package dev.flowsync.signaling.protocol;

/** Rooms: metadata, the store SPI and the engine that creates, lists and deletes them. */
package dev.flowsync.core.room;

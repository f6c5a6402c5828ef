/** The HTTP side of the server: the API, health and metrics. */
package dev.flowsync.jetty.http;

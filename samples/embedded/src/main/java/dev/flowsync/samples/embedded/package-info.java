/** A plain Java application that embeds FlowSync in-process. */
package dev.flowsync.samples.embedded;

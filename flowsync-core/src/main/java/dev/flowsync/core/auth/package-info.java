/** Access tokens: issuing, verifying, refreshing and revoking. */
package dev.flowsync.core.auth;

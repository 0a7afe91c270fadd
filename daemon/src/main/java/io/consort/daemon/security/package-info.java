/**
 * Security of client sessions at the daemon: TLS ({@link io.consort.daemon.security.ServerTls}),
 * authentication in the handshake ({@link io.consort.daemon.security.Authenticator}) and
 * per-group access control ({@link io.consort.daemon.security.AccessPolicy}), bundled as
 * {@link io.consort.daemon.security.SessionSecurity}. docs/SECURITY-SESSIONS.md has the threat model.
 */
@NullMarked
package io.consort.daemon.security;

import org.jspecify.annotations.NullMarked;

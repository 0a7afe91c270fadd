/**
 * Security of client sessions at the daemon: TLS ({@link io.consort.reactive.daemon.security.ServerTls}),
 * authentication in the handshake ({@link io.consort.reactive.daemon.security.Authenticator}) and
 * per-group access control ({@link io.consort.reactive.daemon.security.AccessPolicy}), bundled as
 * {@link io.consort.reactive.daemon.security.SessionSecurity}. docs/SECURITY-SESSIONS.md has the threat model.
 */
@NullMarked
package io.consort.reactive.daemon.security;

import org.jspecify.annotations.NullMarked;

package io.consort.daemon.security;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The daemon's authentication step, run once per session between HELLO and WELCOME (never on a
 * connection's event loop: a password check is deliberately slow). Implement it to plug in another
 * scheme; the built-in ones are {@link #none()}, {@link #passwords(Map)} and
 * {@link #certificateSubject()}, combined with {@link #firstOf(Authenticator...)}.
 *
 * <p>A session whose authenticators all answer {@link AuthOutcome.NotPresented} is
 * {@link Identity#ANONYMOUS}; whether the anonymous identity may connect is the
 * {@link AccessPolicy}'s decision.
 *
 * <pre>{@code
 * Authenticator auth = Authenticator.firstOf(
 *         Authenticator.certificateSubject(),                              // mutual TLS: CN=...,O=...
 *         Authenticator.passwords(Map.of("alice", PasswordHash.hash("s3cret".toCharArray()))));
 * }</pre>
 */
@FunctionalInterface
public interface Authenticator {
    /** Decides who {@code request} is. Must not throw for any input; may block (it runs on its own thread). */
    AuthOutcome authenticate(AuthRequest request);

    /** No authentication: every session is anonymous (the loopback default). */
    static Authenticator none() {
        return NoAuthenticator.INSTANCE;
    }

    /**
     * Password identities: {@code hashes} maps an identity to its {@link PasswordHash} encoding. A
     * HELLO without a password is {@link AuthOutcome.NotPresented}; a wrong password or an unknown
     * identity is {@link AuthOutcome.Refused} (both take the same time).
     */
    static Authenticator passwords(Map<String, String> hashes) {
        return new PasswordAuthenticator(hashes);
    }

    /**
     * Mutual TLS: the identity is the verified client certificate's subject, as an RFC 2253 name
     * ({@code CN=alice,O=Example}). Without a client certificate, {@link AuthOutcome.NotPresented}.
     * The TLS layer has already checked the chain against the trusted CAs and its validity dates.
     */
    static Authenticator certificateSubject() {
        return CertificateSubjectAuthenticator.INSTANCE;
    }

    /** The first answer other than {@link AuthOutcome.NotPresented} of {@code authenticators}, in order. */
    static Authenticator firstOf(Authenticator... authenticators) {
        List<Authenticator> list = List.of(authenticators);
        if (list.size() == 1) {
            return list.get(0);
        }
        return request -> {
            for (Authenticator a : list) {
                AuthOutcome o = Objects.requireNonNull(a.authenticate(request), "outcome");
                if (!(o instanceof AuthOutcome.NotPresented)) {
                    return o;
                }
            }
            return AuthOutcome.notPresented();
        };
    }
}

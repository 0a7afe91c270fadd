package io.consort.daemon.security;

import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a connecting client presented: its HELLO's credentials, the certificate chain it showed in
 * the TLS handshake, and where it connects from.
 *
 * <pre>{@code
 * AuthRequest r = new AuthRequest("alice", "alice", "secret".getBytes(UTF_8), List.of(), address);
 * AuthOutcome o = authenticator.authenticate(r);
 * }</pre>
 *
 * @param user              the user part of the private name the client asks for
 * @param identity          the identity of a password HELLO, else null
 * @param secret            the password's UTF-8 bytes, else null
 * @param peerCertificates  the client's verified certificate chain (leaf first), empty without mutual TLS
 * @param remote            the client's address
 */
public record AuthRequest(String user, @Nullable String identity, byte @Nullable [] secret,
        List<X509Certificate> peerCertificates, InetAddress remote) {
    public AuthRequest {
        Objects.requireNonNull(user, "user");
        peerCertificates = List.copyOf(peerCertificates);
        Objects.requireNonNull(remote, "remote");
    }

    @Override
    public String toString() {
        return "AuthRequest[user=" + user + ", identity=" + identity + ", certificates=" + peerCertificates.size()
                + ", remote=" + remote + "]";
    }
}

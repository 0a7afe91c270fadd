package io.consort.daemon.security;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * TLS on the daemon's client port: its certificate chain and private key (PEM files; the key
 * unencrypted PKCS#8, {@code BEGIN PRIVATE KEY}), the CAs trusted for client certificates, and
 * whether clients must show one. The files are re-read when they change (checked on a new connection
 * at most once per {@link #reloadCheck()}), so a rotated certificate is served to new sessions while
 * existing ones keep theirs. Immutable; every {@code with...} returns a copy.
 *
 * <pre>{@code
 * ServerTls tls = ServerTls.of(Path.of("daemon.crt"), Path.of("daemon.key"))
 *         .withTrustedCertificates(Path.of("clients-ca.crt"))
 *         .withClientAuth(ServerTls.ClientAuth.NEED);          // mutual TLS
 * }</pre>
 *
 * @param certificateChain     PEM: the daemon's certificate first, then intermediates
 * @param privateKey           PEM: the key of the first certificate, unencrypted PKCS#8
 * @param trustedCertificates  PEM: CAs that client certificates must chain to; null trusts none
 * @param clientAuth           whether a client certificate is asked for
 * @param reloadCheck          how often, at most, the files are checked for a change
 */
public record ServerTls(Path certificateChain, Path privateKey, @Nullable Path trustedCertificates,
        ClientAuth clientAuth, Duration reloadCheck) {
    /** Whether the daemon asks for a client certificate (mutual TLS). */
    public enum ClientAuth {
        /** No client certificate asked for. */
        NONE,
        /** Asked for; a client without one is still accepted (and is anonymous unless it has a password). */
        WANT,
        /** Required: a client without a certificate the trusted CAs vouch for fails the TLS handshake. */
        NEED
    }

    public ServerTls {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(clientAuth, "clientAuth");
        Objects.requireNonNull(reloadCheck, "reloadCheck");
        if (reloadCheck.isNegative()) {
            throw new IllegalArgumentException("reloadCheck may not be negative, was " + reloadCheck);
        }
        if (clientAuth != ClientAuth.NONE && trustedCertificates == null) {
            throw new IllegalArgumentException("client authentication " + clientAuth
                    + " needs trusted certificates (the CAs of the clients)");
        }
    }

    /** TLS with this chain and key, no client certificates, files checked for a change every second. */
    public static ServerTls of(Path certificateChain, Path privateKey) {
        return new ServerTls(certificateChain, privateKey, null, ClientAuth.NONE, Duration.ofSeconds(1));
    }

    public ServerTls withTrustedCertificates(@Nullable Path trustedCertificates) {
        return new ServerTls(certificateChain, privateKey, trustedCertificates, clientAuth, reloadCheck);
    }

    public ServerTls withClientAuth(ClientAuth clientAuth) {
        return new ServerTls(certificateChain, privateKey, trustedCertificates, clientAuth, reloadCheck);
    }

    public ServerTls withReloadCheck(Duration reloadCheck) {
        return new ServerTls(certificateChain, privateKey, trustedCertificates, clientAuth, reloadCheck);
    }
}

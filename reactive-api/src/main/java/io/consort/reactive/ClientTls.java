package io.consort.reactive;

import io.consort.protocol.Pem;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * TLS towards the daemon: whom to trust (PEM CA certificates, or the JVM's default trust store),
 * optionally the client's own certificate for mutual TLS, and whether the daemon's certificate
 * must name the host connected to (on by default). Immutable; every {@code with...} returns a copy.
 * The files are read at each {@code connect()}, so a rotated client certificate is used by the next
 * session.
 *
 * <pre>{@code
 * ConsortClient client = ConsortClient.create()
 *         .host("consort.example.com")
 *         .tls(ClientTls.trusting(Path.of("ca.crt"))
 *                 .withCertificate(Path.of("alice.crt"), Path.of("alice.key")));   // mutual TLS
 * }</pre>
 */
public final class ClientTls {
    private final @Nullable Path trustedCertificates;
    private final @Nullable Path certificateChain;
    private final @Nullable Path privateKey;
    private final boolean hostnameVerification;

    private ClientTls(@Nullable Path trustedCertificates, @Nullable Path certificateChain, @Nullable Path privateKey,
            boolean hostnameVerification) {
        this.trustedCertificates = trustedCertificates;
        this.certificateChain = certificateChain;
        this.privateKey = privateKey;
        this.hostnameVerification = hostnameVerification;
    }

    /** TLS that trusts the CAs of a PEM file. */
    public static ClientTls trusting(Path trustedCertificates) {
        return new ClientTls(Objects.requireNonNull(trustedCertificates, "trustedCertificates"), null, null, true);
    }

    /** TLS that trusts the JVM's default trust store. */
    public static ClientTls systemTrust() {
        return new ClientTls(null, null, null, true);
    }

    /** Shows this certificate (PEM chain, PEM unencrypted PKCS#8 key) when the daemon asks for one. */
    public ClientTls withCertificate(Path certificateChain, Path privateKey) {
        return new ClientTls(trustedCertificates, Objects.requireNonNull(certificateChain, "certificateChain"),
                Objects.requireNonNull(privateKey, "privateKey"), hostnameVerification);
    }

    /**
     * Whether the daemon's certificate must name the host connected to (a DNS name or IP address in its
     * subject alternative names). Turning it off lets any certificate the trusted CAs signed stand in
     * for the daemon.
     */
    public ClientTls withHostnameVerification(boolean verify) {
        return new ClientTls(trustedCertificates, certificateChain, privateKey, verify);
    }

    public @Nullable Path trustedCertificates() {
        return trustedCertificates;
    }

    public @Nullable Path certificateChain() {
        return certificateChain;
    }

    public @Nullable Path privateKey() {
        return privateKey;
    }

    public boolean hostnameVerification() {
        return hostnameVerification;
    }

    /** The Netty context for a new connection, from the files as they are now. */
    public SslContext newContext() {
        try {
            SslContextBuilder b = SslContextBuilder.forClient().protocols("TLSv1.3", "TLSv1.2");
            if (trustedCertificates != null) {
                b.trustManager(Pem.certificates(Files.readAllBytes(trustedCertificates)).toArray(new X509Certificate[0]));
            }
            if (certificateChain != null && privateKey != null) {
                var key = Pem.privateKey(Files.readAllBytes(privateKey));
                var chain = Pem.certificates(Files.readAllBytes(certificateChain));
                b.keyManager(key, chain.toArray(new X509Certificate[0]));
            }
            return b.build();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS: cannot load the client's certificate files: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "ClientTls[trusted=" + (trustedCertificates == null ? "system" : trustedCertificates)
                + (certificateChain == null ? "" : ", certificate=" + certificateChain)
                + ", hostnameVerification=" + hostnameVerification + "]";
    }
}

package io.consort.daemon.security;

import io.consort.protocol.Pem;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's current TLS context for {@link ServerTls}, re-read from disk when its files change.
 * {@link #current()} is called for each new connection; at most once per
 * {@link ServerTls#reloadCheck()} it reads the files and, if their bytes changed, builds a new
 * context. A change that does not load (a half-written rotation, a key that does not match the
 * certificate) is logged and the previous context kept, so a rotation never takes the port down.
 * Connections keep the context they were opened with.
 *
 * <pre>{@code
 * ServerTlsContext tls = ServerTlsContext.load(ServerTls.of(chain, key));   // throws if it cannot load
 * channel.pipeline().addFirst(tls.current().newHandler(channel.alloc()));
 * }</pre>
 */
public final class ServerTlsContext {
    private static final Logger log = LoggerFactory.getLogger(ServerTlsContext.class);
    private final ServerTls config;
    private final LongSupplier nanoClock;
    private volatile SslContext context;
    private byte[][] loadedBytes;
    private long lastCheckNanos;
    private volatile long reloads;

    private ServerTlsContext(ServerTls config, LongSupplier nanoClock) throws IOException, GeneralSecurityException {
        this.config = config;
        this.nanoClock = nanoClock;
        this.loadedBytes = readFiles();
        this.context = build(loadedBytes);
        this.lastCheckNanos = nanoClock.getAsLong();
    }

    /** Loads {@code config}'s files now; throws IllegalArgumentException naming the file if they do not load. */
    public static ServerTlsContext load(ServerTls config) {
        Objects.requireNonNull(config, "config");
        try {
            return new ServerTlsContext(config, System::nanoTime);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("TLS: cannot load " + config.certificateChain() + " / "
                    + config.privateKey() + (config.trustedCertificates() == null ? "" : " / " + config.trustedCertificates())
                    + ": " + e.getMessage(), e);
        }
    }

    public ServerTls config() {
        return config;
    }

    /** How many times a changed set of files was loaded since the start. */
    public long reloads() {
        return reloads;
    }

    /** The context for a new connection, reloaded first if the files changed. */
    public SslContext current() {
        long now = nanoClock.getAsLong();
        synchronized (this) {
            if (now - lastCheckNanos >= config.reloadCheck().toNanos()) {
                lastCheckNanos = now;
                reloadIfChanged();
            }
        }
        return context;
    }

    private void reloadIfChanged() {
        byte[][] bytes;
        try {
            bytes = readFiles();
        } catch (IOException e) {
            log.warn("TLS: cannot read the certificate files ({}); keeping the loaded ones", e.toString());
            return;
        }
        if (Arrays.deepEquals(bytes, loadedBytes)) {
            return;
        }
        try {
            context = build(bytes);
            loadedBytes = bytes;
            reloads++;
            log.info("TLS: loaded the changed certificate files {}", config.certificateChain());
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            // Half a rotation, most likely: try again at the next check.
            log.warn("TLS: the changed certificate files do not load ({}); keeping the loaded ones", e.getMessage());
        }
    }

    private byte[][] readFiles() throws IOException {
        Path trusted = config.trustedCertificates();
        return new byte[][] {Files.readAllBytes(config.certificateChain()), Files.readAllBytes(config.privateKey()),
            trusted == null ? new byte[0] : Files.readAllBytes(trusted)};
    }

    private SslContext build(byte[][] bytes) throws GeneralSecurityException, IOException {
        List<X509Certificate> chain = Pem.certificates(bytes[0]);
        PrivateKey key = Pem.privateKey(bytes[1]);
        Pem.requireMatch(key, chain.get(0));
        SslContextBuilder b = SslContextBuilder.forServer(key, chain.toArray(new X509Certificate[0]))
                .protocols("TLSv1.3", "TLSv1.2");
        @Nullable Path trusted = config.trustedCertificates();
        if (trusted != null) {
            b.trustManager(Pem.certificates(bytes[2]).toArray(new X509Certificate[0]));
        }
        b.clientAuth(switch (config.clientAuth()) {
            case NONE -> ClientAuth.NONE;
            case WANT -> ClientAuth.OPTIONAL;
            case NEED -> ClientAuth.REQUIRE;
        });
        return b.build();
    }
}

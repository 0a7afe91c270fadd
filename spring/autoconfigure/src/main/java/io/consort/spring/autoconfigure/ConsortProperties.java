package io.consort.spring.autoconfigure;

import io.consort.daemon.DaemonOptions;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code consort.*} properties.
 *
 * <pre>{@code
 * # application.yaml
 * consort:
 *   host: 127.0.0.1          # the daemon
 *   port: 4803
 *   name: orders-1           # the user part of the private name; unset: random per connection
 *   connect-timeout: 10s
 *   close-timeout: 5s        # how long shutdown waits for the daemon to see the session leave
 *   embedded:
 *     enabled: true          # run a daemon inside this application (single node, tests)
 *     port: 0                # its client port; 0 picks a free one
 *   tls:                     # TLS to the daemon (docs/SECURITY-SESSIONS.md)
 *     enabled: true
 *     trusted-certificates: /etc/consort/ca.crt   # PEM; unset: the JVM's trust store
 *     certificate-chain: /etc/consort/orders.crt  # PEM, for mutual TLS (with private-key)
 *     private-key: /etc/consort/orders.key        # PEM, unencrypted PKCS#8
 *     hostname-verification: true
 *   identity: orders         # a password identity, sent in the handshake (with password)
 *   password: ${CONSORT_PASSWORD}
 * }</pre>
 */
@ConfigurationProperties("consort")
public class ConsortProperties {
    private String host = "127.0.0.1";
    private int port = DaemonOptions.DEFAULT_PORT;
    private @Nullable String name;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration closeTimeout = Duration.ofSeconds(5);
    private final Embedded embedded = new Embedded();
    private final Tls tls = new Tls();
    private @Nullable String identity;
    private @Nullable String password;

    public Tls getTls() {
        return tls;
    }

    /** The password identity the session authenticates as; unset: none (anonymous, or the TLS certificate). */
    public @Nullable String getIdentity() {
        return identity;
    }

    public void setIdentity(@Nullable String identity) {
        this.identity = identity;
    }

    public @Nullable String getPassword() {
        return password;
    }

    public void setPassword(@Nullable String password) {
        this.password = password;
    }

    public String getHost() {
        return host;
    }

    public void setHost(String host) {
        this.host = host;
    }

    public int getPort() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public @Nullable String getName() {
        return name;
    }

    public void setName(@Nullable String name) {
        this.name = name;
    }

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public Duration getCloseTimeout() {
        return closeTimeout;
    }

    public void setCloseTimeout(Duration closeTimeout) {
        this.closeTimeout = closeTimeout;
    }

    public Embedded getEmbedded() {
        return embedded;
    }

    /** {@code consort.embedded.*}: a daemon inside this JVM, for single-node applications and tests. */
    public static class Embedded {
        private boolean enabled;
        private String host = "127.0.0.1";
        private int port;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        /** The embedded daemon's client port; 0 (the default) picks a free one. */
        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }
    }

    /** {@code consort.tls.*}: TLS towards the daemon. */
    public static class Tls {
        private boolean enabled;
        private @Nullable String trustedCertificates;
        private @Nullable String certificateChain;
        private @Nullable String privateKey;
        private boolean hostnameVerification = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** PEM CA certificates that vouch for the daemon; unset: the JVM's default trust store. */
        public @Nullable String getTrustedCertificates() {
            return trustedCertificates;
        }

        public void setTrustedCertificates(@Nullable String trustedCertificates) {
            this.trustedCertificates = trustedCertificates;
        }

        /** PEM certificate chain shown to a daemon that asks for one (mutual TLS); needs {@code private-key}. */
        public @Nullable String getCertificateChain() {
            return certificateChain;
        }

        public void setCertificateChain(@Nullable String certificateChain) {
            this.certificateChain = certificateChain;
        }

        public @Nullable String getPrivateKey() {
            return privateKey;
        }

        public void setPrivateKey(@Nullable String privateKey) {
            this.privateKey = privateKey;
        }

        /** Whether the daemon's certificate must name {@code consort.host} (default true). */
        public boolean isHostnameVerification() {
            return hostnameVerification;
        }

        public void setHostnameVerification(boolean hostnameVerification) {
            this.hostnameVerification = hostnameVerification;
        }
    }
}

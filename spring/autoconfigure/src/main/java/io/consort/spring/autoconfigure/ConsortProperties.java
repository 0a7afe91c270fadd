package io.consort.spring.autoconfigure;

import io.consort.reactive.daemon.DaemonOptions;
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
}

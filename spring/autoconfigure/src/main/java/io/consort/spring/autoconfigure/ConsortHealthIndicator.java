package io.consort.spring.autoconfigure;

import io.consort.reactive.ConsortClient;
import io.consort.reactive.Session;
import java.util.Objects;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of the shared session: UP while it is open, DOWN once it closed, with the daemon's address
 * and the private name as details. Shows under {@code /actuator/health/consort}.
 *
 * <pre>{@code
 * {"status":"UP","details":{"daemon":"127.0.0.1:4803","privateName":"#orders-1#localhost"}}
 * }</pre>
 */
public final class ConsortHealthIndicator extends AbstractHealthIndicator {
    private final Session session;
    private final ConsortClient client;

    public ConsortHealthIndicator(Session session, ConsortClient client) {
        super("Consort health check failed");
        this.session = Objects.requireNonNull(session, "session");
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.withDetail("daemon", client.host() + ":" + client.port())
                .withDetail("privateName", session.privateName());
        if (session.isOpen()) {
            builder.up();
        } else {
            builder.down().withDetail("session", "closed");
        }
    }
}

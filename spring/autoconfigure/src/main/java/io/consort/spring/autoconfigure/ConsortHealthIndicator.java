package io.consort.spring.autoconfigure;

import io.consort.reactive.ConsortClient;
import io.consort.reactive.RingState;
import io.consort.reactive.Session;
import java.util.Objects;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of the shared session and of its daemon's ring, under {@code /actuator/health/consort}:
 *
 * <ul>
 *   <li>{@code UP}: the session is open and its daemon is in a regular configuration;</li>
 *   <li>{@code OUT_OF_SERVICE}: the session is open but the daemon's ring is re-forming (gathering,
 *       recovering, or a transitional configuration whose group views are settling). Messages wait meanwhile;
 *       it passes by itself, usually within a second or two, so it is not {@code DOWN}. Spring Boot maps it
 *       to HTTP 503 as it does {@code DOWN}, so a readiness probe takes the instance out of rotation;</li>
 *   <li>{@code DOWN}: the session is closed;</li>
 *   <li>{@code UNKNOWN}: the daemon predates session protocol 3 and cannot tell its ring state (HTTP 200).</li>
 * </ul>
 *
 * Details: {@code daemon} (the address connected to), {@code privateName}, and from the daemon's last RING
 * frame {@code daemonName}, {@code ring} (the phase), {@code configurationId} (hex, as the daemon logs it)
 * and {@code ringMembers} (daemon names in ring order).
 *
 * <pre>{@code
 * {"status":"UP","details":{"daemon":"127.0.0.1:4803","privateName":"#orders-1#d1","daemonName":"d1",
 *   "ring":"REGULAR","configurationId":"688f1e16c2001","ringMembers":["d1","d2","d3"]}}
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
        if (!session.isOpen()) {
            builder.down().withDetail("session", "closed");
            return;
        }
        RingState ring = session.ringState();
        if (ring == null) {
            if (session.protocolVersion() < 3) {
                builder.unknown().withDetail("ring", "not told: the daemon speaks session protocol "
                        + session.protocolVersion());
            } else {
                builder.outOfService().withDetail("ring", "not yet told");
            }
            return;
        }
        builder.withDetail("daemonName", ring.daemon())
                .withDetail("ring", ring.phase().name())
                .withDetail("configurationId", ring.configurationIdHex())
                .withDetail("ringMembers", ring.members());
        if (ring.regular()) {
            builder.up();
        } else {
            builder.outOfService();
        }
    }
}

package io.consort.spring.autoconfigure;

import io.consort.reactive.Session;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * Owns the auto-configured shared {@link Session} and closes it with the application context.
 *
 * <p>It exists because {@link Session#close()} returns a {@code Mono}: Spring's inferred destroy
 * method would call it without subscribing, and nothing would be sent. Closing here says goodbye,
 * so the other members see a LEAVE rather than a DISCONNECT.
 *
 * <pre>{@code
 * @Autowired ConsortSessionLifecycle lifecycle;
 * Session shared = lifecycle.session();
 * }</pre>
 */
public final class ConsortSessionLifecycle implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(ConsortSessionLifecycle.class);

    private final Session session;
    private final Duration closeTimeout;

    public ConsortSessionLifecycle(Session session, Duration closeTimeout) {
        this.session = Objects.requireNonNull(session, "session");
        this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
    }

    /** The session this lifecycle closes. */
    public Session session() {
        return session;
    }

    @Override
    public void destroy() {
        if (!session.isOpen()) {
            return;
        }
        try {
            session.close().block(closeTimeout);
        } catch (RuntimeException e) {
            // Shutdown goes on: the daemon turns a missing goodbye into a DISCONNECT on its own.
            log.warn("Consort session {} did not close within {}: {}", session.privateName(), closeTimeout,
                    e.toString());
        }
    }
}

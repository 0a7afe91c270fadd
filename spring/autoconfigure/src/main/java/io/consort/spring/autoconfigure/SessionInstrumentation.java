package io.consort.spring.autoconfigure;

import io.consort.reactive.Session;

/**
 * Wraps the auto-configured session before anyone sees it: define a bean of this type to add
 * tracing or logging, or to replace the default {@link MeteredSession}.
 *
 * <pre>{@code
 * @Bean
 * SessionInstrumentation logging() {
 *     return session -> new MyLoggingSession(session);
 * }
 * }</pre>
 */
@FunctionalInterface
public interface SessionInstrumentation {
    /** The session the application will use in place of {@code session}. */
    Session instrument(Session session);
}

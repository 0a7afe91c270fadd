package io.consort.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.daemon.EmbeddedDaemon;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * One process may hold many sessions to one daemon (a service with a session per tenant, a load
 * generator). Each session owns a TCP connection for its whole life; none may wait on a pool.
 */
class ManySessionsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final EmbeddedDaemon daemon = EmbeddedDaemon.startEphemeral();

    @AfterEach
    void stop() {
        daemon.close();
    }

    @Test
    void sixtyFourSessionsFromOneProcessToOneDaemonAllConnect() throws Exception {
        ConsortClient client = ConsortClient.create().port(daemon.port());
        List<Session> sessions = Flux.range(0, 64).flatMap(i -> client.name("s" + i).connect(), 64)
                .collectList().block(TIMEOUT);
        assertThat(sessions).hasSize(64);
        assertThat(daemon.sessionCount()).isEqualTo(64);
        Flux.fromIterable(sessions).flatMap(Session::close).then().block(TIMEOUT);
    }
}

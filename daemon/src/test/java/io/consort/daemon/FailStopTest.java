package io.consort.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.ConsortException;
import io.consort.core.EngineConfig;
import io.consort.core.ErrorCode;
import io.consort.core.Input;
import io.consort.core.ViewCause;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupView;
import io.consort.reactive.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * An exception in a daemon's engine stops that daemon (fail-stop): its clients get an ERROR
 * {@link ErrorCode#DAEMON_FAILED} and are closed, its daemon network socket closes, and the other
 * daemons re-form without it. The fault is real: an input the engine refuses by throwing (a session
 * id already in use), passed in through a seam no socket reaches.
 */
class FailStopTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private final List<EmbeddedDaemon> daemons = new ArrayList<>();

    @AfterEach
    void stop() {
        daemons.forEach(EmbeddedDaemon::close);
    }

    @Test
    void aFailedEngineStopsItsDaemonAndTheRingReformsWithoutIt() throws Exception {
        InMemoryDaemonNetwork net = new InMemoryDaemonNetwork();
        for (int i = 1; i <= 3; i++) {
            EngineConfig engine = EngineConfig.defaults().withClustered(true).withDaemonId(i).withDaemonName("d" + i)
                    .withIncarnation(System.currentTimeMillis());
            daemons.add(EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withEngine(engine), net.endpoint(i)));
        }
        await().atMost(TIMEOUT).until(() -> daemons.get(2).configurationMembers().equals(List.of(1, 2, 3)));
        Session a = ConsortClient.create().port(daemons.get(0).port()).name("a").connect().block(TIMEOUT);
        Session c = ConsortClient.create().port(daemons.get(2).port()).name("c").connect().block(TIMEOUT);
        c.join("g").then(a.join("g")).block(TIMEOUT);

        StepVerifier.create(c.views("g").filter(v -> v.cause() == ViewCause.NETWORK).take(1).map(GroupView::members))
                .then(() -> daemons.get(0).submitForTest(new Input.Connect(1, "intruder"))) // a holds session id 1
                .assertNext(m -> assertThat(m).containsExactly("#c#d3"))
                .expectComplete().verify(TIMEOUT);

        StepVerifier.create(a.onClose()).expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ConsortException.class)
                .extracting(x -> ((ConsortException) x).code()).isEqualTo(ErrorCode.DAEMON_FAILED)).verify(TIMEOUT);
        Throwable cause = daemons.get(0).failure().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(cause).hasMessageContaining("session id 1 is already in use");
        await().atMost(TIMEOUT).until(() -> daemons.get(1).configurationMembers().equals(List.of(2, 3))
                && daemons.get(2).configurationMembers().equals(List.of(2, 3)));
        assertThat(c.isOpen()).isTrue();
    }

    @Test
    void aSingleDaemonsClientsAreToldAndItsPortCloses() throws Exception {
        EmbeddedDaemon d = EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0));
        daemons.add(d);
        Session s = ConsortClient.create().port(d.port()).name("s").connect().block(TIMEOUT);
        s.join("g").block(TIMEOUT);
        d.submitForTest(new Input.Connect(1, "again"));
        StepVerifier.create(s.onClose()).expectErrorSatisfies(e -> assertThat(((ConsortException) e).code())
                .isEqualTo(ErrorCode.DAEMON_FAILED)).verify(TIMEOUT);
        d.failure().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        StepVerifier.create(ConsortClient.create().port(d.port()).name("late").connect())
                .expectError().verify(TIMEOUT);
    }
}

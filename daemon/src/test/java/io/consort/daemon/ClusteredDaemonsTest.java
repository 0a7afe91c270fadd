package io.consort.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.EngineConfig;
import io.consort.core.ServiceLevel;
import io.consort.core.ViewCause;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.GroupView;
import io.consort.reactive.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Three embedded daemons of one daemon network, wired in memory: the engine loop drives timers and datagrams. */
class ClusteredDaemonsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private final List<EmbeddedDaemon> daemons = new ArrayList<>();

    @AfterEach
    void stop() {
        daemons.forEach(EmbeddedDaemon::close);
    }

    private static EngineConfig engine(int id) {
        return EngineConfig.defaults().withClustered(true).withDaemonId(id).withDaemonName("d" + id)
                .withIncarnation(System.currentTimeMillis());
    }

    @Test
    void threeDaemonsFormARingAndDeliverAcrossIt() throws Exception {
        InMemoryDaemonNetwork net = new InMemoryDaemonNetwork();
        for (int i = 1; i <= 3; i++) {
            daemons.add(EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withEngine(engine(i)),
                    net.endpoint(i)));
        }
        await().atMost(TIMEOUT).until(() -> daemons.stream().allMatch(d -> {
            try {
                return d.configurationMembers().equals(List.of(1, 2, 3));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }));
        Session a = ConsortClient.create().port(daemons.get(0).port()).name("a").connect().block(TIMEOUT);
        Session c = ConsortClient.create().port(daemons.get(2).port()).name("c").connect().block(TIMEOUT);
        StepVerifier.create(c.messages("g").take(2).map(GroupMessage::text))
                .then(() -> c.join("g").then(a.join("g")).block(TIMEOUT))
                .then(() -> a.multicast("g", ServiceLevel.AGREED, "one").then(a.multicast("g", ServiceLevel.SAFE, "two"))
                        .block(TIMEOUT))
                .expectNext("one", "two")
                .expectComplete().verify(TIMEOUT);

        // Daemon 1 drops off the network: c sees a transitional signal, then a NETWORK view without a.
        StepVerifier.create(c.views("g").filter(v -> v.cause() == ViewCause.NETWORK).take(1))
                .then(() -> net.isolate(1, true))
                .assertNext(v -> {
                    assertThat(v.members()).containsExactly("#c#d3");
                    assertThat(v.vsSet()).containsExactly("#c#d3");
                })
                .expectComplete().verify(TIMEOUT);
        // Healed, it merges back: c sees a NETWORK view with a in it again.
        StepVerifier.create(c.views("g").filter(v -> v.cause() == ViewCause.NETWORK && v.members().size() == 2).take(1)
                        .map(GroupView::members))
                .then(() -> net.isolate(1, false))
                .assertNext(m -> assertThat(m).containsExactlyInAnyOrder("#a#d1", "#c#d3"))
                .expectComplete().verify(TIMEOUT);
        await().atMost(TIMEOUT).until(() -> daemons.get(0).configurationMembers().equals(List.of(1, 2, 3)));
    }
}

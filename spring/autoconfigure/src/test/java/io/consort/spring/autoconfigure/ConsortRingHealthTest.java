package io.consort.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.EngineConfig;
import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import io.consort.daemon.InMemoryDaemonNetwork;
import io.consort.reactive.RingState;
import io.consort.reactive.Session;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.test.StepVerifier;

/**
 * The starter's health follows its daemon's ring: UP in a regular configuration of two daemons,
 * OUT_OF_SERVICE while the ring re-forms after one of them goes silent, UP again alone; the ring gauges
 * move with it.
 */
class ConsortRingHealthTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ConsortAutoConfiguration.class));
    private final InMemoryDaemonNetwork net = new InMemoryDaemonNetwork();
    private final List<EmbeddedDaemon> daemons = new ArrayList<>();

    @BeforeEach
    void startRing() {
        for (int id = 1; id <= 2; id++) {
            EngineConfig engine = EngineConfig.defaults().withClustered(true).withDaemonId(id).withDaemonName("d" + id)
                    .withIncarnation(System.currentTimeMillis());
            EmbeddedDaemon d = EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withEngine(engine),
                    net.endpoint(id));
            d.monitor().daemonNames(Map.of(1, "d1", 2, "d2"));
            daemons.add(d);
        }
        await().atMost(TIMEOUT).until(() -> daemons.get(0).configurationMembers().equals(List.of(1, 2))
                && daemons.get(0).monitor().regular());
    }

    @AfterEach
    void stopRing() {
        for (EmbeddedDaemon d : daemons) {
            d.close();
        }
    }

    @Test
    void healthIsUpOnlyInARegularConfigurationAndShowsTheRing() {
        EmbeddedDaemon d1 = daemons.get(0);
        runner.withPropertyValues("consort.port=" + d1.port(), "consort.name=app")
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> {
                    ConsortHealthIndicator health = context.getBean(ConsortHealthIndicator.class);
                    Session session = context.getBean(Session.class);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    session.ring().filter(RingState::regular).blockFirst(TIMEOUT);
                    Health up = health.health(true);
                    assertThat(up.getStatus()).isEqualTo(Status.UP);
                    String configuration = Long.toHexString(d1.monitor().refresh().join().configurationId());
                    assertThat(up.getDetails()).containsEntry("daemonName", "d1").containsEntry("ring", "REGULAR")
                            .containsEntry("configurationId", configuration)
                            .containsEntry("ringMembers", List.of("d1", "d2"));
                    assertThat(registry.get("consort.ring.members").gauge().value()).isEqualTo(2.0);

                    // d2 goes silent. Each state the daemon announces is checked as it arrives, so the short
                    // gathering is seen for certain, not by polling luck.
                    List<Status> during = new ArrayList<>();
                    List<Double> regularGauge = new ArrayList<>();
                    StepVerifier.create(session.ring().skip(1).takeUntil(RingState::regular).doOnNext(r -> {
                        during.add(health.health(true).getStatus());
                        regularGauge.add(registry.get("consort.ring.regular").gauge().value());
                    }))
                            .then(() -> net.isolate(2, true))
                            .thenConsumeWhile(r -> true)
                            .expectComplete().verify(TIMEOUT);
                    assertThat(during).as("health while the ring re-forms, then alone").hasSizeGreaterThanOrEqualTo(2)
                            .startsWith(Status.OUT_OF_SERVICE).endsWith(Status.UP);
                    assertThat(regularGauge).startsWith(0.0).endsWith(1.0);
                    Health alone = health.health(true);
                    assertThat(alone.getDetails()).containsEntry("ringMembers", List.of("d1"))
                            .doesNotContainEntry("configurationId", configuration);
                    assertThat(registry.get("consort.ring.members").gauge().value()).isEqualTo(1.0);
                });
    }
}

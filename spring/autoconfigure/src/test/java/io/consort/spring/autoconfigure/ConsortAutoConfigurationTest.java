package io.consort.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.ServiceLevel;
import io.consort.core.ViewCause;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.Session;
import io.consort.daemon.EmbeddedDaemon;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.test.StepVerifier;

class ConsortAutoConfigurationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ConsortAutoConfiguration.class));

    /** A daemon outside the context, so a test can watch what the context's session does to others. */
    private EmbeddedDaemon daemon;

    @BeforeEach
    void startDaemon() {
        daemon = EmbeddedDaemon.startEphemeral();
    }

    @AfterEach
    void stopDaemon() {
        daemon.close();
    }

    @Test
    void embeddedDaemonClientAndSharedSessionComeFromProperties() {
        runner.withPropertyValues("consort.embedded.enabled=true", "consort.name=app")
                .run(context -> {
                    assertThat(context).hasSingleBean(EmbeddedDaemon.class).hasSingleBean(ConsortClient.class)
                            .hasSingleBean(Session.class);
                    EmbeddedDaemon embedded = context.getBean(EmbeddedDaemon.class);
                    assertThat(context.getBean(ConsortClient.class).port()).isEqualTo(embedded.port());
                    Session session = context.getBean(Session.class);
                    assertThat(session.privateName()).isEqualTo("#app#localhost");
                    StepVerifier.create(session.messages("g").take(1).map(m -> m.text()))
                            .then(() -> session.join("g").then(session.multicast("g", ServiceLevel.AGREED, "hi"))
                                    .block(TIMEOUT))
                            .expectNext("hi")
                            .verifyComplete();
                });
    }

    @Test
    void externalDaemonIsReachedThroughHostAndPortAndNoDaemonIsEmbedded() {
        runner.withPropertyValues("consort.host=127.0.0.1", "consort.port=" + daemon.port(),
                "consort.connect-timeout=3s").run(context -> {
                    assertThat(context).doesNotHaveBean(EmbeddedDaemon.class);
                    assertThat(context.getBean(ConsortClient.class).connectTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(context.getBean(Session.class).isOpen()).isTrue();
                    assertThat(daemon.sessionCount()).isEqualTo(1);
                });
    }

    @Test
    void closingTheContextSaysGoodbyeSoOthersSeeALeave() {
        Session watcher = ConsortClient.create().port(daemon.port()).name("watcher").connect().block(TIMEOUT);
        StepVerifier.create(watcher.views("g").skip(2).take(1))
                .then(() -> watcher.join("g").block(TIMEOUT))
                .then(() -> runner.withPropertyValues("consort.port=" + daemon.port(), "consort.name=app")
                        .run(context -> context.getBean(Session.class).join("g").block(TIMEOUT)))
                .assertNext(v -> {
                    assertThat(v.cause()).isEqualTo(ViewCause.LEAVE);
                    assertThat(v.changed()).containsExactly("#app#localhost");
                })
                .verifyComplete();
        watcher.close().block(TIMEOUT);
    }

    @Test
    void userBeansWinOverTheAutoConfiguredOnes() {
        runner.withPropertyValues("consort.port=" + daemon.port())
                .withUserConfiguration(OwnSession.class)
                .run(context -> {
                    assertThat(context).hasSingleBean(Session.class).doesNotHaveBean(ConsortSessionLifecycle.class);
                    assertThat(context.getBean(Session.class).privateName()).isEqualTo("#mine#localhost");
                    assertThat(context.getBean(ConsortClient.class).name()).isEqualTo("mine");
                });
    }

    @Test
    void metersFollowTheDaemonsNamesPerLevelAndGroup() {
        runner.withPropertyValues("consort.port=" + daemon.port())
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> {
                    Session session = context.getBean(Session.class);
                    assertThat(session).isInstanceOf(MeteredSession.class);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    StepVerifier.create(session.messages("orders").take(3))
                            .then(() -> session.join("orders")
                                    .then(session.multicast("orders", ServiceLevel.AGREED, "a"))
                                    .then(session.multicast("orders", ServiceLevel.AGREED, "bb"))
                                    .then(session.multicast("orders", ServiceLevel.SAFE, "ccc"))
                                    .block(TIMEOUT))
                            .expectNextCount(3)
                            .verifyComplete();
                    // The daemon's names and tags (docs/OPERATIONS.md): what it received from this session...
                    assertThat(counter(registry, "consort.messages.received", "agreed")).isEqualTo(2.0);
                    assertThat(counter(registry, "consort.received.bytes", "agreed")).isEqualTo(3.0);
                    assertThat(counter(registry, "consort.messages.received", "safe")).isEqualTo(1.0);
                    assertThat(counter(registry, "consort.received.bytes", "safe")).isEqualTo(3.0);
                    // ...and what it delivered to it.
                    assertThat(counter(registry, "consort.messages.delivered", "agreed")).isEqualTo(2.0);
                    assertThat(counter(registry, "consort.delivered.bytes", "agreed")).isEqualTo(3.0);
                    assertThat(counter(registry, "consort.messages.delivered", "safe")).isEqualTo(1.0);
                    assertThat(registry.find("consort.messages.sent").counter()).isNull();
                    assertThat(registry.get("consort.sends.outstanding").gauge().value()).isZero();
                    assertThat(registry.get("consort.session.open").gauge().value()).isEqualTo(1.0);
                    // The ring, from the daemon's RING frames: a daemon alone is a regular configuration of one.
                    assertThat(registry.get("consort.ring.members").gauge().value()).isEqualTo(1.0);
                    assertThat(registry.get("consort.ring.regular").gauge().value()).isEqualTo(1.0);
                    assertThat(registry.get("consort.ring.configuration.id").gauge().value())
                            .isEqualTo((double) daemon.monitor().refresh().join().configurationId());
                });
    }

    private static double counter(MeterRegistry registry, String name, String level) {
        return registry.get(name).tags("group", "orders", "level", level).counter().count();
    }

    @Test
    void metricsCanBeSwitchedOff() {
        runner.withPropertyValues("consort.port=" + daemon.port(), "consort.metrics.enabled=false")
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> assertThat(context.getBean(Session.class)).isNotInstanceOf(MeteredSession.class));
    }

    @Test
    void healthShowsTheSessionStateAndTheDaemon() {
        runner.withPropertyValues("consort.port=" + daemon.port(), "consort.name=app").run(context -> {
            ConsortHealthIndicator health = context.getBean(ConsortHealthIndicator.class);
            Health up = health.health(true);
            assertThat(up.getStatus()).isEqualTo(Status.UP);
            assertThat(up.getDetails()).containsEntry("daemon", "127.0.0.1:" + daemon.port())
                    .containsEntry("privateName", "#app#localhost").containsEntry("daemonName", "localhost")
                    .containsEntry("ring", "REGULAR").containsEntry("ringMembers", java.util.List.of("localhost"));
            context.getBean(Session.class).close().block(TIMEOUT);
            assertThat(health.health(true).getStatus()).isEqualTo(Status.DOWN);
        });
    }

    @Test
    void healthIndicatorCanBeDisabledLikeBootsOwn() {
        runner.withPropertyValues("consort.port=" + daemon.port(), "management.health.consort.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(ConsortHealthIndicator.class));
    }

    @Test
    void anUnreachableDaemonFailsTheStartWithTheReason() {
        int closedPort;
        try (EmbeddedDaemon gone = EmbeddedDaemon.startEphemeral()) {
            closedPort = gone.port();
        }
        runner.withPropertyValues("consort.port=" + closedPort, "consort.connect-timeout=2s")
                .run(context -> assertThat(context).hasFailed()
                        .getFailure().hasStackTraceContaining("cannot connect to the Consort daemon at 127.0.0.1:" + closedPort));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnSession {
        @Bean
        ConsortClient myClient(org.springframework.core.env.Environment env) {
            return ConsortClient.create().port(env.getRequiredProperty("consort.port", Integer.class)).name("mine");
        }

        @Bean(destroyMethod = "")
        Session mySession(ConsortClient client) {
            return client.connect().block(TIMEOUT);
        }
    }

}

package io.consort.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.Session;
import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import io.consort.daemon.security.AccessRules;
import io.consort.daemon.security.Authenticator;
import io.consort.daemon.security.PasswordHash;
import io.consort.daemon.security.ServerTls;
import io.consort.daemon.security.SessionSecurity;
import io.consort.daemon.security.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.test.StepVerifier;

/** consort.tls.* and consort.identity/password reach a daemon that demands TLS and a password. */
class ConsortSecurityPropertiesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    @TempDir
    static Path dir;
    static TestPki ca;
    static EmbeddedDaemon daemon;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ConsortAutoConfiguration.class));

    @BeforeAll
    static void start() throws Exception {
        ca = TestPki.ca(dir, "Spring CA");
        TestPki.Issued cert = ca.issue("daemon", "CN=daemon");
        daemon = EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withSecurity(SessionSecurity.none()
                .withTls(ServerTls.of(cert.chain(), cert.key()))
                .withAuthenticator(Authenticator.passwords(Map.of("orders", PasswordHash.hash("pw".toCharArray(), 1_000))))
                .withPolicy(AccessRules.authenticatedOnly())));
    }

    @AfterAll
    static void stop() {
        daemon.close();
    }

    @Test
    void theSessionBeanConnectsOverTlsWithThePasswordIdentity() {
        runner.withPropertyValues("consort.port=" + daemon.port(), "consort.name=app", "consort.tls.enabled=true",
                "consort.tls.trusted-certificates=" + ca.certificate(), "consort.identity=orders", "consort.password=pw")
                .run(context -> {
                    assertThat(context.getBean(ConsortClient.class).tls()).isNotNull();
                    Session session = context.getBean(Session.class);
                    StepVerifier.create(session.messages("g").take(1).map(m -> m.text()))
                            .then(() -> session.join("g").then(session.multicast("g", ServiceLevel.AGREED, "hi")).block(TIMEOUT))
                            .expectNext("hi")
                            .verifyComplete();
                });
    }

    @Test
    void aWrongPasswordOrHalfASettingFailsTheContext() {
        runner.withPropertyValues("consort.port=" + daemon.port(), "consort.tls.enabled=true",
                "consort.tls.trusted-certificates=" + ca.certificate(), "consort.identity=orders", "consort.password=nope")
                .run(context -> assertThat(context).hasFailed());
        runner.withPropertyValues("consort.port=" + daemon.port(), "consort.identity=orders")
                .run(context -> assertThat(context).hasFailed());
    }
}

package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import io.consort.core.ServiceLevel;
import io.consort.reactive.ClientTls;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.Credentials;
import io.consort.reactive.Session;
import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import io.consort.daemon.security.AccessPolicy;
import io.consort.daemon.security.AccessRules;
import io.consort.daemon.security.Identity;
import io.consort.daemon.security.PasswordHash;
import io.consort.daemon.security.Permission;
import io.consort.daemon.security.ServerTls;
import io.consort.daemon.security.SessionSecurity;
import io.consort.daemon.security.TestPki;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** consortd's security section: parsing, errors with file and line, a secured daemon from it, and its reload. */
class SessionSecurityConfigTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    @TempDir
    static Path dir;
    static TestPki ca;
    static String aliceHash;
    static String bobHash;

    @BeforeAll
    static void pki() throws Exception {
        ca = TestPki.ca(dir, "Config CA");
        ca.issue("daemon", "CN=daemon");
        aliceHash = PasswordHash.hash("alice-pw".toCharArray(), 1_000);
        bobHash = PasswordHash.hash("bob-pw".toCharArray(), 1_000);
    }

    private static Path write(String yaml) throws IOException {
        Path f = dir.resolve("consort.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private static String secured(String bobAllows) {
        return """
                security:
                  reload: 0
                  tls:
                    certificateChain: daemon.crt
                    privateKey: daemon.key
                  authentication:
                    users:
                      alice: "%s"
                      bob: "%s"
                    failureDelay: {min: 0, max: 0}
                  access:
                    - {identity: alice, allow: [connect, join, send, unicast], groups: ["orders.*"], users: ["alice*"]}
                    - identity: bob
                      allow: [%s]
                      groups: ["orders.*"]
                """.formatted(aliceHash, bobHash, bobAllows);
    }

    @Test
    void theSectionDescribesTlsPasswordsAndRules() throws IOException {
        SessionSecurity s = DaemonConfigFile.read(write(secured("connect, join")), DaemonOptions.defaults()).security();
        assertThat(s.tls()).isNotNull();
        assertThat(s.tls().certificateChain()).isEqualTo(dir.resolve("daemon.crt").toAbsolutePath());
        assertThat(s.tls().clientAuth()).isEqualTo(ServerTls.ClientAuth.NONE);
        AccessPolicy p = s.policy();
        assertThat(p.allows(Identity.of("alice"), Permission.SEND, "orders.eu")).isTrue();
        assertThat(p.allows(Identity.of("bob"), Permission.SEND, "orders.eu")).isFalse();
        assertThat(p.allows(Identity.of("bob"), Permission.JOIN, "orders.eu")).isTrue();
        assertThat(p.allows(Identity.ANONYMOUS, Permission.CONNECT, "x")).isFalse();
        assertThat(p.allows(Identity.of("alice"), Permission.CONNECT, "alice-1")).isTrue();
        assertThat(p.allows(Identity.of("alice"), Permission.CONNECT, "bob")).isFalse();
        assertThat(p.allows(Identity.of("bob"), Permission.CONNECT, "anything")).isTrue();
        assertThat(s.failureDelayMax()).isZero();

        // Users without rules: every user may do everything, anonymous nothing; no section: no checks at all.
        SessionSecurity usersOnly = DaemonConfigFile.read(write("security:\n  authentication:\n    users:\n      alice: \""
                + aliceHash + "\"\n"), DaemonOptions.defaults()).security();
        assertThat(usersOnly.policy()).isEqualTo(AccessRules.authenticatedOnly());
        assertThat(DaemonConfigFile.read(write("limits: {maxSessions: 5}\n"), DaemonOptions.defaults()).security())
                .isEqualTo(SessionSecurity.none());
    }

    @Test
    void mistakesAreNamedWithTheirFileAndLine() throws IOException {
        Path f1 = write("security:\n  tls:\n    certificateChain: daemon.crt\n    privateKey: daemon.key\n    clientAuth: maybe\n");
        assertThatThrownBy(() -> DaemonConfigFile.read(f1, DaemonOptions.defaults()))
                .hasMessageStartingWith(f1 + ":5: security.tls.clientAuth must be none, want or need");
        Path f2 = write("security:\n  tls:\n    certificateChain: nowhere.crt\n    privateKey: daemon.key\n");
        assertThatThrownBy(() -> DaemonConfigFile.read(f2, DaemonOptions.defaults()))
                .hasMessageStartingWith(f2 + ":3: security.tls.certificateChain names ").hasMessageContaining("cannot be read");
        Path f3 = write("security:\n  access:\n    - {identity: bob, allow: [connect]}\n    - {identity: eve, allow: [read]}\n");
        assertThatThrownBy(() -> DaemonConfigFile.read(f3, DaemonOptions.defaults()))
                .hasMessageStartingWith(f3 + ":4: security.access.allow has 'read'");
        Path f4 = write("security:\n  authentication:\n    methods: [certificate]\n");
        assertThatThrownBy(() -> DaemonConfigFile.read(f4, DaemonOptions.defaults()))
                .hasMessageContaining("security.authentication.methods has certificate, which needs security.tls.clientAuth");
        Path f5 = write("security:\n  authentication:\n    users:\n      alice: plain\n");
        assertThatThrownBy(() -> DaemonConfigFile.read(f5, DaemonOptions.defaults()))
                .hasMessageContaining("--hash-password");
    }

    @Test
    void aDaemonFromTheFileIsSecuredAndTakesChangedRulesWithoutARestart() throws Exception {
        Path f = write(secured("connect, join"));
        try (EmbeddedDaemon daemon = EmbeddedDaemon.start(DaemonConfigFile.read(f, DaemonOptions.defaults()).withPort(0));
                SecurityReloader reloader = new SecurityReloader(f, daemon::updateSecurity)) {
            ConsortClient client = ConsortClient.create().port(daemon.port()).tls(ClientTls.trusting(ca.certificate()));
            assertThatThrownBy(() -> client.name("x").connect().block(TIMEOUT))
                    .isInstanceOfSatisfying(ConsortException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED));
            Session bob = client.name("bob").credentials(Credentials.password("bob", "bob-pw")).connect().block(TIMEOUT);
            bob.join("orders.eu").block(TIMEOUT);
            assertThatThrownBy(() -> bob.multicast("orders.eu", ServiceLevel.AGREED, "x").block(TIMEOUT))
                    .isInstanceOfSatisfying(ConsortException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED));

            assertThat(reloader.checkNow()).isFalse(); // unchanged
            Files.writeString(f, "security: [this is not a mapping\n");
            assertThat(reloader.checkNow()).isFalse(); // broken: the rules in force stay
            assertThatThrownBy(() -> bob.multicast("orders.eu", ServiceLevel.AGREED, "x").block(TIMEOUT))
                    .isInstanceOf(ConsortException.class);

            Files.writeString(f, secured("connect, join, send"));
            assertThat(reloader.checkNow()).isTrue();
            bob.multicast("orders.eu", ServiceLevel.AGREED, "now allowed").block(TIMEOUT);
            assertThat(bob.isOpen()).isTrue();
        }
    }

    @Test
    void consortdHashesAPasswordForTheFile() {
        InputStream in = System.in;
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream("s3cret\n".getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            assertThat(new CommandLine(new Consortd()).execute("--hash-password")).isZero();
        } finally {
            System.setIn(in);
            System.setOut(out);
        }
        String hash = printed.toString(StandardCharsets.UTF_8).trim();
        assertThat(hash).startsWith("pbkdf2-sha256:");
        assertThat(PasswordHash.verify(hash, "s3cret".getBytes(StandardCharsets.UTF_8))).isTrue();
    }
}

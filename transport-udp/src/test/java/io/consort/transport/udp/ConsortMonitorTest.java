package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consort.core.ServiceLevel;
import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import io.consort.daemon.admin.AdminOptions;
import io.consort.daemon.admin.AdminServer;
import io.consort.daemon.security.AccessRules;
import io.consort.daemon.security.Authenticator;
import io.consort.daemon.security.PasswordHash;
import io.consort.daemon.security.ServerTls;
import io.consort.daemon.security.SessionSecurity;
import io.consort.daemon.security.TestPki;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.Session;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * consort-monitor against a real daemon's admin port: a bounded {@code watch}, and the admin port over TLS
 * with HTTP Basic credentials when the daemon's security is on (the right CA and credentials get in;
 * plain HTTP, a wrong CA or wrong credentials do not).
 */
class ConsortMonitorTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String CLEAR = "\033[H\033[2J";

    @TempDir
    static Path dir;
    static TestPki ca;
    static TestPki rogueCa;
    static TestPki.Issued daemonCert;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void pki() throws Exception {
        ca = TestPki.ca(dir, "Monitor CA");
        rogueCa = TestPki.ca(dir, "Rogue CA");
        daemonCert = ca.issue("daemon", "CN=daemon,O=Consort Test");
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    /** What the monitor printed (out and err) and its exit code. */
    record Run(int code, String out) {
    }

    private static Run monitor(String... args) {
        StringWriter out = new StringWriter();
        int code = new CommandLine(new ConsortMonitor()).setOut(new PrintWriter(out)).setErr(new PrintWriter(out))
                .execute(args);
        return new Run(code, out.toString());
    }

    @Test
    void watchRefreshesTheStatusCountTimesWithRatesAndStops() {
        EmbeddedDaemon d = EmbeddedDaemon.startEphemeral();
        closing.add(d);
        AdminServer admin = AdminServer.start(d.monitor(), AdminOptions.defaults().withPort(0));
        closing.add(admin);
        Session s = ConsortClient.create().port(d.port()).name("w").connect().block(TIMEOUT);
        closing.add(() -> s.close().block(TIMEOUT));
        StepVerifier.create(s.messages("g").take(12))
                .then(() -> s.join("g").then(Flux.range(0, 12).concatMap(i -> s.multicast("g",
                        i < 10 ? ServiceLevel.AGREED : ServiceLevel.SAFE, "m" + i)).then()).block(TIMEOUT))
                .expectNextCount(12)
                .verifyComplete();

        Run run = monitor("--admin", "127.0.0.1:" + admin.port(), "watch", "--count", "3", "--interval", "0.2");

        assertThat(run.code()).as(run.out()).isZero();
        String[] screens = run.out().split(Pattern.quote(CLEAR), -1);
        assertThat(screens).as("nothing before the first clear, then three screens").hasSize(4);
        assertThat(screens[0]).isEmpty();
        for (int i = 1; i <= 3; i++) {
            assertThat(screens[i]).as("screen %d", i)
                    .startsWith("daemon " + d.monitor().daemonName() + " (id 0) up ")
                    .contains(", regular\n")
                    .contains("sessions 1, groups 1\n")
                    .contains("received agreed=10 safe=2\n")
                    .contains("delivered agreed=10 safe=2\n");
            // Rates need a previous refresh: none on the first screen; idle since, so 0/s on the others.
            assertThat(screens[i].contains("rates: ")).as("screen %d has rates", i).isEqualTo(i > 1);
        }
        assertThat(screens[3]).endsWith("rates: received 0/s, delivered 0/s\n");
    }

    private EmbeddedDaemon securedDaemon() {
        return securedDaemon(ServerTls.of(daemonCert.chain(), daemonCert.key()));
    }

    private EmbeddedDaemon securedDaemon(ServerTls tls) {
        SessionSecurity security = SessionSecurity.none()
                .withTls(tls)
                .withAuthenticator(Authenticator.passwords(Map.of("ops", PasswordHash.hash("ops-pw".toCharArray(), 1_000))))
                .withPolicy(AccessRules.authenticatedOnly()).withFailureDelay(Duration.ZERO, Duration.ZERO);
        EmbeddedDaemon d = EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withSecurity(security));
        closing.add(d);
        return d;
    }

    @Test
    void overTlsTheRightCaAndCredentialsGetTheStatusAndMetrics() throws Exception {
        EmbeddedDaemon d = securedDaemon();
        AdminServer admin = AdminServer.start(d.monitor(), AdminOptions.defaults().withPort(0));
        closing.add(admin);
        String at = "127.0.0.1:" + admin.port();
        Path password = Files.writeString(dir.resolve("ops.pw"), "ops-pw\n");

        Run status = monitor("--admin", at, "--ca", ca.certificate().toString(), "--user", "ops",
                "--password-file", password.toString(), "status");
        assertThat(status.code()).as(status.out()).isZero();
        assertThat(status.out()).startsWith("daemon " + d.monitor().daemonName() + " (id 0) up ").contains("regular");

        HttpClient https = HttpClient.newBuilder().sslContext(trusting(ca.certificate()))
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> metrics = https.send(get("https://" + at + "/metrics").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("consort_ring_members{");
        HttpResponse<String> api = https.send(get("https://" + at + "/api/status")
                .header("Authorization", basic("ops", "ops-pw")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(api.body()).contains("\"daemon\":\"" + d.monitor().daemonName() + "\"");
        assertThat(https.send(get("https://" + at + "/api/status").build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).as("the monitor's API without credentials").isEqualTo(401);
    }

    @Test
    void overTlsPlainHttpAWrongCaOrWrongCredentialsAreRefused() throws Exception {
        EmbeddedDaemon d = securedDaemon();
        AdminServer admin = AdminServer.start(d.monitor(), AdminOptions.defaults().withPort(0));
        closing.add(admin);
        String at = "127.0.0.1:" + admin.port();
        Path password = Files.writeString(dir.resolve("ops.pw"), "ops-pw\n");
        Path wrong = Files.writeString(dir.resolve("wrong.pw"), "guess\n");

        Run plain = monitor("--admin", at, "--user", "ops", "--password-file", password.toString(), "status");
        assertThat(plain.code()).as(plain.out()).isEqualTo(1);
        assertThat(plain.out()).contains("cannot reach " + at);
        Run rogue = monitor("--admin", at, "--ca", rogueCa.certificate().toString(), "--user", "ops",
                "--password-file", password.toString(), "status");
        assertThat(rogue.code()).as(rogue.out()).isEqualTo(1);
        assertThat(rogue.out()).contains("cannot reach " + at).doesNotContain("daemon " + d.monitor().daemonName());
        Run guessed = monitor("--admin", at, "--ca", ca.certificate().toString(), "--user", "ops",
                "--password-file", wrong.toString(), "status");
        assertThat(guessed.code()).as(guessed.out()).isEqualTo(1);
        assertThat(guessed.out()).contains("the daemon asks for credentials");
        Run anonymous = monitor("--admin", at, "--ca", ca.certificate().toString(), "status");
        assertThat(anonymous.code()).isEqualTo(1);
        assertThat(anonymous.out()).contains("the daemon asks for credentials");

        // Nothing, metrics included, in the clear: a plain HTTP client gets no answer from a TLS port.
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> http.send(get("http://" + at + "/metrics").build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void withMutualTlsForSessionsTheAdminPortStillTakesTheMonitorsPasswordAndFollowsARotation() throws Exception {
        // Copies: this test rotates the files the daemon reads.
        Path chain = Files.copy(daemonCert.chain(), dir.resolve("rotating.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path key = Files.copy(daemonCert.key(), dir.resolve("rotating.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        EmbeddedDaemon d = securedDaemon(ServerTls.of(chain, key).withTrustedCertificates(ca.certificate())
                .withClientAuth(ServerTls.ClientAuth.NEED).withReloadCheck(Duration.ZERO));
        AdminServer admin = AdminServer.start(d.monitor(), AdminOptions.defaults().withPort(0));
        closing.add(admin);
        String at = "127.0.0.1:" + admin.port();
        Path password = Files.writeString(dir.resolve("ops.pw"), "ops-pw\n");
        // Sessions must show a certificate; the monitor (and a kubelet's probe) has none, and needs none here:
        // the admin port authenticates the monitor's API by password.
        Run status = monitor("--admin", at, "--ca", ca.certificate().toString(), "--user", "ops",
                "--password-file", password.toString(), "status");
        assertThat(status.code()).as(status.out()).isZero();

        // The certificate files are replaced by one of another CA: the admin port serves it to new connections.
        TestPki.Issued next = rogueCa.issue("next", "CN=daemon,O=Consort Test");
        Files.copy(next.key(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(next.chain(), chain, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Run rotated = monitor("--admin", at, "--ca", rogueCa.certificate().toString(), "--user", "ops",
                "--password-file", password.toString(), "status");
        assertThat(rotated.code()).as(rotated.out()).isZero();
        Run old = monitor("--admin", at, "--ca", ca.certificate().toString(), "--user", "ops",
                "--password-file", password.toString(), "status");
        assertThat(old.code()).as("the old CA after the rotation: %s", old.out()).isEqualTo(1);
    }

    private static HttpRequest.Builder get(String uri) {
        return HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10));
    }

    private static SSLContext trusting(Path caFile) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int i = 0;
        for (X509Certificate c : io.consort.protocol.Pem.certificates(Files.readAllBytes(caFile))) {
            trust.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}

package io.consort.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.EngineConfig;
import io.consort.core.ServiceLevel;
import io.consort.daemon.admin.AdminOptions;
import io.consort.daemon.admin.AdminServer;
import io.consort.daemon.security.AccessRules;
import io.consort.daemon.security.Authenticator;
import io.consort.daemon.security.PasswordHash;
import io.consort.daemon.security.SessionSecurity;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.Session;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** The admin port of real daemons: metrics that move with traffic and the ring, probes, the monitor's API. */
class AdminServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private static EngineConfig engine(int id) {
        return EngineConfig.defaults().withClustered(true).withDaemonId(id).withDaemonName("d" + id)
                .withIncarnation(System.currentTimeMillis());
    }

    private EmbeddedDaemon daemon(DaemonOptions options, InMemoryDaemonNetwork net, int id) {
        EmbeddedDaemon d = EmbeddedDaemon.start(options, net.endpoint(id));
        closing.add(d);
        return d;
    }

    private AdminServer admin(EmbeddedDaemon d) {
        AdminServer a = AdminServer.start(d.monitor(), AdminOptions.defaults().withPort(0));
        closing.add(a);
        return a;
    }

    private HttpResponse<String> get(AdminServer a, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.port() + path))
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the Prometheus sample {@code name} whose labels include every {@code labels} fragment. */
    static double sample(String text, String name, String... labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$").matcher(text);
        while (m.find()) {
            String l = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (String want : labels) {
                all &= l.contains(want);
            }
            if (all) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no sample " + name + " " + List.of(labels) + " in:\n" + text);
    }

    @Test
    void metricsMoveWithTrafficAndTheRing() throws Exception {
        InMemoryDaemonNetwork net = new InMemoryDaemonNetwork();
        EmbeddedDaemon d1 = daemon(DaemonOptions.defaults().withPort(0).withEngine(engine(1)), net, 1);
        EmbeddedDaemon d2 = daemon(DaemonOptions.defaults().withPort(0).withEngine(engine(2)), net, 2);
        AdminServer a1 = admin(d1);
        AdminServer a2 = admin(d2);
        await().atMost(TIMEOUT).until(() -> d1.configurationMembers().equals(List.of(1, 2))
                && d2.configurationMembers().equals(List.of(1, 2)));
        String before = get(a1, "/metrics").body();
        assertThat(sample(before, "consort_messages_received_total", "level=\"agreed\"")).isZero();

        Session a = ConsortClient.create().port(d1.port()).name("a").connect().block(TIMEOUT);
        Session b = ConsortClient.create().port(d2.port()).name("b").connect().block(TIMEOUT);
        closing.add(() -> a.close().block(TIMEOUT));
        closing.add(() -> b.close().block(TIMEOUT));
        StepVerifier.create(b.messages("g").take(25).map(GroupMessage::text))
                .then(() -> b.join("g").then(a.join("g")).block(TIMEOUT))
                .then(() -> {
                    for (int i = 0; i < 20; i++) {
                        a.multicast("g", ServiceLevel.AGREED, "agreed " + i).block(TIMEOUT);
                    }
                    for (int i = 0; i < 5; i++) {
                        a.multicast("g", ServiceLevel.SAFE, "safe!" + i).block(TIMEOUT);
                    }
                })
                .expectNextCount(25)
                .expectComplete().verify(TIMEOUT);

        HttpResponse<String> r1 = get(a1, "/metrics");
        assertThat(r1.statusCode()).isEqualTo(200);
        assertThat(r1.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        String m1 = r1.body();
        assertThat(sample(m1, "consort_messages_received_total", "level=\"agreed\"", "daemon=\"d1\"")).isEqualTo(20);
        assertThat(sample(m1, "consort_messages_received_total", "level=\"safe\"")).isEqualTo(5);
        assertThat(sample(m1, "consort_received_bytes_total", "level=\"safe\"")).isEqualTo(5 * "safe!0".length());
        assertThat(sample(m1, "consort_ring_members")).isEqualTo(2);
        assertThat(sample(m1, "consort_ring_regular")).isEqualTo(1);
        assertThat(sample(m1, "consort_ring_configurations_total")).isGreaterThanOrEqualTo(1);
        assertThat(sample(m1, "consort_ring_gathers_total", "cause=\"start\"")).isEqualTo(1);
        assertThat(sample(m1, "consort_ring_token_rotation_seconds_count")).isPositive();
        assertThat(sample(m1, "consort_ring_token_rotation_seconds_sum")).isPositive();
        assertThat(sample(m1, "consort_sessions")).isEqualTo(1);
        assertThat(sample(m1, "consort_groups")).isEqualTo(1);
        assertThat(sample(m1, "consort_datagrams_dropped_total", "reason=\"undecodable\"")).isZero();
        String m2 = get(a2, "/metrics").body();
        assertThat(sample(m2, "consort_messages_delivered_total", "level=\"agreed\"", "daemon=\"d2\"")).isEqualTo(20);
        assertThat(sample(m2, "consort_delivered_bytes_total", "level=\"safe\"")).isEqualTo(5 * "safe!0".length());
        assertThat(sample(m2, "consort_messages_received_total", "level=\"agreed\"")).isZero();

        // b's daemon drops off: d1 loses the token, gathers for that reason and installs a configuration alone.
        double configurations = sample(m1, "consort_ring_configurations_total");
        net.isolate(2, true);
        await().atMost(TIMEOUT).until(() -> d1.configurationMembers().equals(List.of(1)));
        String after = get(a1, "/metrics").body();
        assertThat(sample(after, "consort_ring_gathers_total", "cause=\"token_loss\"")).isGreaterThanOrEqualTo(1);
        assertThat(sample(after, "consort_ring_configurations_total")).isGreaterThan(configurations);
        assertThat(sample(after, "consort_ring_members")).isEqualTo(1);
    }

    @Test
    void readyFollowsTheRing() throws Exception {
        // Long consensus and token-loss timeouts keep the daemons out of a regular configuration for seconds.
        EngineConfig slow = engine(1).withTimeouts(1_000_000_000L, 30_000_000L, 20_000_000L, 3_000_000_000L,
                100_000_000L, 1_000_000L);
        InMemoryDaemonNetwork net = new InMemoryDaemonNetwork();
        EmbeddedDaemon d1 = daemon(DaemonOptions.defaults().withPort(0).withEngine(slow), net, 1);
        AdminServer a1 = admin(d1);
        assertThat(get(a1, "/live").statusCode()).isEqualTo(200);
        await().atMost(TIMEOUT).until(() -> get(a1, "/ready").statusCode() == 200);
        daemon(DaemonOptions.defaults().withPort(0).withEngine(slow.withDaemonId(2).withDaemonName("d2")), net, 2);
        await().atMost(TIMEOUT).until(() -> d1.configurationMembers().equals(List.of(1, 2)));
        await().atMost(TIMEOUT).until(() -> get(a1, "/ready").statusCode() == 200);
        // The other daemon goes silent: d1 loses the token and gathers again (not ready), then forms a ring alone.
        net.isolate(2, true);
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> get(a1, "/ready").statusCode() == 503);
        await().atMost(TIMEOUT).until(() -> get(a1, "/ready").statusCode() == 200);
        assertThat(d1.configurationMembers()).containsExactly(1);
        assertThat(get(a1, "/live").statusCode()).isEqualTo(200);
    }

    @Test
    void theMonitorsApiAsksForTheSessionCredentialsWhenSecurityIsOn() throws Exception {
        SessionSecurity security = SessionSecurity.none()
                .withAuthenticator(Authenticator.passwords(Map.of("ops", PasswordHash.hash("ops-pw".toCharArray(), 1_000))))
                .withPolicy(AccessRules.authenticatedOnly()).withFailureDelay(Duration.ZERO, Duration.ZERO);
        EmbeddedDaemon d = EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withSecurity(security));
        closing.add(d);
        AdminServer a = admin(d);
        Session s = ConsortClient.create().port(d.port()).name("alice")
                .credentials(io.consort.reactive.Credentials.password("ops", "ops-pw")).connect().block(TIMEOUT);
        closing.add(() -> s.close().block(TIMEOUT));
        s.join("orders").block(TIMEOUT);

        assertThat(get(a, "/api/status").statusCode()).isEqualTo(401);
        assertThat(get(a, "/api/status", "Authorization", basic("ops", "wrong")).statusCode()).isEqualTo(401);
        assertThat(get(a, "/").statusCode()).isEqualTo(401);
        HttpResponse<String> ok = get(a, "/api/group?name=orders", "Authorization", basic("ops", "ops-pw"));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"name\":\"orders\"").contains("#alice#localhost");
        HttpResponse<String> sessions = get(a, "/api/sessions", "Authorization", basic("ops", "ops-pw"));
        assertThat(sessions.body()).contains("#alice#localhost").contains("\"groups\":[\"orders\"]");
        assertThat(get(a, "/api/group?name=none", "Authorization", basic("ops", "ops-pw")).statusCode()).isEqualTo(404);
        // Probes and metrics stay open: Kubernetes and Prometheus do not hold session credentials.
        assertThat(get(a, "/ready").statusCode()).isEqualTo(200);
        assertThat(get(a, "/metrics").statusCode()).isEqualTo(200);
        // Fault injection is off unless the configuration allows it.
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.port()
                + "/api/isolate?daemons=2")).header("Authorization", basic("ops", "ops-pw"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}

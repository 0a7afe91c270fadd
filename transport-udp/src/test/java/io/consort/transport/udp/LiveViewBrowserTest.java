package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.consort.core.ServiceLevel;
import io.consort.daemon.EmbeddedDaemon;
import io.consort.daemon.admin.AdminOptions;
import io.consort.daemon.admin.AdminServer;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.Session;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/**
 * The live view in a real headless Chromium against a three-daemon ring over UDP: the page shows the ring in
 * token order, the groups and their members, and charts that Server-Sent Events keep moving. The screenshot
 * lands in transport-udp/target/live-view.png (docs/operations-live-view.png is one of them).
 */
class LiveViewBrowserTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final List<AutoCloseable> closing = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private static String eval(HeadlessChromium b, String expression) {
        try {
            return b.eval(expression);
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    void thePageShowsTheRingTheGroupsAndMovingFigures() throws Exception {
        if (!HeadlessChromium.available()) {
            String missing = "the live view's browser test needs " + HeadlessChromium.CHROMIUM
                    + " (Debian: apt-get install -y chromium)";
            if (HeadlessChromium.required()) {
                throw new IllegalStateException(missing);
            }
            System.err.println("SKIPPED " + getClass().getSimpleName() + ": " + missing);
            assumeTrue(false, missing);
        }
        Map<Integer, InetSocketAddress> addresses = UdpDaemonNetworkTest.freeAddresses(3);
        StringBuilder y = new StringBuilder("network:\n  daemons:\n");
        addresses.forEach((id, a) -> y.append("    - {name: d").append(id).append(", id: ").append(id)
                .append(", address: 127.0.0.1, port: ").append(a.getPort()).append("}\n"));
        Path config = dir.resolve("consort.yaml");
        Files.writeString(config, y.toString());
        List<EmbeddedDaemon> daemons = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            EmbeddedDaemon d = Consortd.startEmbedded("--config", config.toString(), "--name", "d" + id, "--port", "0");
            closing.add(d);
            daemons.add(d);
        }
        await().atMost(TIMEOUT).until(() -> daemons.stream().allMatch(d -> d.monitor().regular()
                && d.monitor().snapshot().members().size() == 3));
        AdminServer admin = AdminServer.start(daemons.get(0).monitor(), AdminOptions.defaults().withPort(0));
        closing.add(admin);

        List<Session> sessions = new ArrayList<>();
        String[] users = {"ann", "ben", "cy"};
        for (int i = 0; i < 3; i++) {
            Session s = ConsortClient.create().port(daemons.get(i).port()).name(users[i]).connect().block(TIMEOUT);
            closing.add(() -> s.close().block(TIMEOUT));
            s.messages().subscribe();
            s.join("chat").block(TIMEOUT);
            sessions.add(s);
        }
        sessions.get(0).join("orders").block(TIMEOUT);

        try (HeadlessChromium browser = new HeadlessChromium(1000, 640)) {
            browser.navigate("http://127.0.0.1:" + admin.port() + "/");
            // Steady traffic while the page watches: 10 messages a second from ann and ben, for at most 60 s.
            var traffic = Flux.interval(Duration.ofMillis(100)).take(600)
                    .concatMap(i -> sessions.get((int) (i % 2)).multicast("chat", ServiceLevel.AGREED, "m" + i))
                    .subscribe();
            closing.add(traffic::dispose);
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(
                    Integer.parseInt(browser.eval("document.body.dataset.updates || '0'")))
                    .as(() -> eval(browser, "(document.body.dataset.error || '') + ' ' + location.href + ' '"
                            + " + document.getElementById('state').textContent")).isGreaterThanOrEqualTo(8));
            assertThat(browser.eval("document.getElementById('daemon').textContent")).isEqualTo("d1");
            assertThat(browser.eval("document.getElementById('state').textContent")).isEqualTo("regular");
            assertThat(browser.eval("[...document.querySelectorAll('.daemon-name')].map(e => e.textContent).join(' ')"))
                    .isEqualTo("d1(1) d2(2) d3(3)");
            assertThat(browser.eval("String(document.querySelectorAll('line.hop').length)")).isEqualTo("3");
            assertThat(browser.eval("[...document.querySelectorAll('tr.group')].map(r => r.innerText).join('|')"))
                    .contains("chat\t#ann#d1, #ben#d2, #cy#d3").contains("orders\t#ann#d1");
            assertThat(browser.eval("document.getElementById('sessions').textContent")).isEqualTo("1");
            // The figures move: the page's history (kept in the browser) saw deliveries and token rotations.
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).until(() ->
                    Double.parseDouble(browser.eval("String(Math.max(0, ...hist.map(h => h.out)))")) > 0
                    && Double.parseDouble(browser.eval("String(Math.max(0, ...hist.map(h => h.lat)))")) > 0);
            Path png = Path.of("target", "live-view.png");
            browser.screenshot(png);
            assertThat(Files.size(png)).isGreaterThan(10_000);
        }
    }
}

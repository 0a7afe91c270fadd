package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.ServiceLevel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Three consortd processes with admin ports, operated as an operator would: the membership log, /ready,
 * /metrics and consort-monitor's commands, and a partition injected through the monitor.
 */
class OperationsProcessTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern ADMIN = Pattern.compile("admin port on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern CONFIGURATION = Pattern.compile(
            "INFO io\\.consort\\.membership - daemon d\\d: configuration ([0-9a-f]+) regular: .*");
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** Timeouts long enough that a machine shared by many builds does not re-form the ring by itself. */
    private static final String PATIENT = "timeouts: {tokenLoss: 3000, tokenRetransmit: 100, joinInterval: 50, "
            + "consensus: 1500, leave: 2000}\n";

    @TempDir
    Path dir;

    @Test
    void oneLogLinePerConfigurationMetricsProbesAndTheMonitor() throws Exception {
        try (ProcessCluster c = new ProcessCluster(dir, UdpDaemonNetworkTest.freeAddresses(3),
                PATIENT + "admin: {port: 0, allowFaultInjection: true}\n", "65535", id -> List.of(),
                id -> id == 2 ? List.of("--port", "0", "--log-level", "warn") : List.of("--port", "0"),
                List.of("-Xmx128m"))) {
            c.start(1, 2, 3);
            int[] admin = new int[4];
            for (int id = 1; id <= 3; id++) {
                Matcher m = ADMIN.matcher(Files.readString(c.logOf(id)));
                assertThat(m.find()).as("d" + id + " names its admin port").isTrue();
                admin[id] = Integer.parseInt(m.group(1));
            }
            for (int id = 1; id <= 3; id++) {
                int port = admin[id];
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat(monitor(port, "status"))
                        .contains("d1(1) -> d2(2) -> d3(3)"));
                await().atMost(TIMEOUT).until(() -> status(port, "/ready") == 200);
                assertThat(status(port, "/live")).isEqualTo(200);
            }
            List<String> start = membership(c.logOf(1));
            assertThat(start).isNotEmpty();
            assertThat(start.get(start.size() - 1)).contains("daemons [d1(1), d2(2), d3(3)]");
            // --log-level warn: d2 logs no INFO line at all.
            assertThat(Files.readString(c.logOf(2))).doesNotContain(" INFO ");

            ProcessCluster.Client a = c.client(1, "a");
            ProcessCluster.Client b = c.client(2, "b");
            a.join("g");
            b.join("g");
            for (int i = 0; i < 10; i++) {
                assertThat(a.send("g", ServiceLevel.AGREED, 64)).isTrue();
            }
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(metric(admin[2], "consort_messages_delivered_total",
                    "agreed")).as(() -> monitor(admin[2], "status") + b.deliveredIds.size()).isGreaterThanOrEqualTo(10));
            assertThat(metric(admin[1], "consort_messages_received_total", "agreed")).isEqualTo(10);
            assertThat(monitor(admin[1], "groups")).contains("g  2 members");
            assertThat(monitor(admin[1], "group", "g")).contains("#a#d1").contains("#b#d2");
            assertThat(monitor(admin[1], "sessions")).contains("1 sessions").contains("#a#d1");

            // d3 cuts its links to d1 and d2 (fault injection is allowed here): d1 sees one configuration without it.
            assertThat(monitor(admin[3], "partition", "1", "2")).contains("isolated from");
            await().atMost(TIMEOUT).until(() -> membership(c.logOf(1)).size() > start.size());
            await().atMost(TIMEOUT).until(() -> status(admin[1], "/ready") == 200
                    && monitor(admin[1], "status").contains(": d1(1) -> d2(2)\n"));
            List<String> cut = membership(c.logOf(1)).subList(start.size(), membership(c.logOf(1)).size());
            assertThat(cut).hasSize(1);
            assertThat(cut.get(0)).contains("daemons [d1(1), d2(2)]; came []; went [d3(3)]; because token_loss");
            Matcher id = CONFIGURATION.matcher(cut.get(0));
            assertThat(id.find()).isTrue();
            assertThat(monitor(admin[1], "status")).contains("configuration " + id.group(1) + ": d1(1) -> d2(2)\n");
            assertThat(metric(admin[1], "consort_ring_gathers_total", "token_loss")).isGreaterThanOrEqualTo(1);
            assertThat(metric(admin[3], "consort_datagrams_dropped_total", "isolated")).isPositive();

            // Healed, the rings merge: one more line, d3 back.
            assertThat(monitor(admin[3], "partition")).contains("healed");
            await().atMost(TIMEOUT).until(() -> monitor(admin[1], "status").contains("d1(1) -> d2(2) -> d3(3)"));
            List<String> all = membership(c.logOf(1));
            assertThat(all.get(all.size() - 1)).contains("daemons [d1(1), d2(2), d3(3)]; came [d3(3)]; went []");
        }
    }

    @Test
    void theMonitorRefusesPartitionsUnlessAllowedAndSaysWhatIsWrong() throws Exception {
        try (ProcessCluster c = new ProcessCluster(dir, UdpDaemonNetworkTest.freeAddresses(2), PATIENT + "admin: {port: 0}\n",
                "65535", id -> List.of(), id -> List.of("--port", "0"), List.of("-Xmx128m"))) {
            c.start(1);
            Matcher m = ADMIN.matcher(Files.readString(c.logOf(1)));
            assertThat(m.find()).isTrue();
            int port = Integer.parseInt(m.group(1));
            StringWriter err = new StringWriter();
            int code = new CommandLine(new ConsortMonitor()).setOut(new PrintWriter(new StringWriter()))
                    .setErr(new PrintWriter(err)).execute("--admin", "127.0.0.1:" + port, "partition", "2");
            assertThat(code).isEqualTo(1);
            assertThat(err.toString()).contains("403").contains("allowFaultInjection");
        }
    }

    private static List<String> membership(Path log) throws java.io.IOException {
        return Files.readAllLines(log).stream().filter(l -> CONFIGURATION.matcher(l).find()).toList();
    }

    private int status(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private double metric(int port, String name, String label) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith(name + "{") && l.contains("\"" + label + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " " + label + " in " + text));
    }

    /** consort-monitor's output for {@code args} against the admin port {@code port}. */
    static String monitor(int port, String... args) {
        StringWriter out = new StringWriter();
        String[] all = new String[args.length + 2];
        all[0] = "--admin";
        all[1] = "127.0.0.1:" + port;
        System.arraycopy(args, 0, all, 2, args.length);
        int code = new CommandLine(new ConsortMonitor()).setOut(new PrintWriter(out)).setErr(new PrintWriter(out))
                .execute(all);
        return code == 0 ? out.toString() : "exit " + code + ": " + out;
    }
}

package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.Session;
import io.consort.daemon.EmbeddedDaemon;
import java.net.InetAddress;
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
import reactor.core.publisher.Mono;

/**
 * Two consortd daemons (in this JVM, as {@code consortd --config}) whose configuration lists no
 * daemon but {@code network.discovery}: they find each other through the SRV records of a DNS
 * server the test runs on loopback, and the second joins the ring only once its record appears.
 */
class DnsDiscoveryRingTest {
    static final String SRV = "_daemon._udp.consort.test";
    static final Duration WAIT = Duration.ofSeconds(30);

    private final TestDnsServer dns = TestDnsServer.start();
    private final List<EmbeddedDaemon> daemons = new ArrayList<>();
    private final List<Session> sessions = new ArrayList<>();

    @AfterEach
    void stop() {
        sessions.forEach(s -> s.close().onErrorResume(e -> Mono.empty()).block(WAIT));
        daemons.forEach(EmbeddedDaemon::close);
        dns.close();
    }

    private Path config(Path dir, int port) throws Exception {
        Path f = dir.resolve("consortd-" + port + ".yaml");
        Files.writeString(f, """
                network:
                  discovery:
                    srv: %s
                    address: 127.0.0.1
                    port: %d
                    refreshMillis: 200
                    nameServer: 127.0.0.1:%d
                """.formatted(SRV, port, dns.address().getPort()));
        return f;
    }

    private static TestDnsServer.Srv srv(int ordinal, InetSocketAddress a) {
        return new TestDnsServer.Srv("consort-" + ordinal + ".consort.test", a.getPort());
    }

    @Test
    void daemonsFindEachOtherInDnsAndALaterPodJoinsTheRing(@TempDir Path dir) throws Exception {
        Map<Integer, InetSocketAddress> udp = UdpDaemonNetworkTest.freeAddresses(2);
        InetSocketAddress a0 = udp.get(1);
        InetSocketAddress a1 = udp.get(2);
        dns.a("consort-0.consort.test", InetAddress.getLoopbackAddress());
        dns.a("consort-1.consort.test", InetAddress.getLoopbackAddress());
        dns.srv(SRV, List.of(srv(0, a0)));

        EmbeddedDaemon d0 = start("--config", config(dir, a0.getPort()).toString(), "--name", "consort-0", "--port", "0");
        EmbeddedDaemon d1 = start("--config", config(dir, a1.getPort()).toString(), "--name", "consort-1", "--port", "0");

        // consort-1 knows consort-0 from DNS, but consort-0 does not know consort-1 yet and drops what it sends.
        int lookups = dns.queries();
        await().atMost(WAIT).until(() -> dns.queries() >= lookups + 6);
        assertThat(d0.configurationMembers()).containsExactly(0);

        dns.srv(SRV, List.of(srv(0, a0), srv(1, a1)));
        await().atMost(WAIT).until(() -> d0.configurationMembers().equals(List.of(0, 1))
                && d1.configurationMembers().equals(List.of(0, 1)));

        Session alice = connect(d0, "alice");
        Session bob = connect(d1, "bob");
        Mono<GroupMessage> got = alice.messages("orders").next().cache();
        got.subscribe();
        alice.join("orders").block(WAIT);
        bob.multicast("orders", ServiceLevel.AGREED, "across the ring DNS made").block(WAIT);
        GroupMessage m = got.block(WAIT);
        assertThat(m.text()).isEqualTo("across the ring DNS made");
        assertThat(m.sender()).contains("consort-1");
    }

    private EmbeddedDaemon start(String... args) {
        EmbeddedDaemon d = Consortd.startEmbedded(args);
        daemons.add(d);
        return d;
    }

    private Session connect(EmbeddedDaemon d, String name) {
        Session s = ConsortClient.create().port(d.port()).name(name).connect().block(WAIT);
        sessions.add(s);
        return s;
    }
}

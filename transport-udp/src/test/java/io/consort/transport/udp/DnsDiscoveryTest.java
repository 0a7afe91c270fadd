package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link DnsDiscovery} against a DNS server the test runs on loopback and whose records it changes. */
class DnsDiscoveryTest {
    static final String SRV = "_daemon._udp.consort.test";
    static final Duration WAIT = Duration.ofSeconds(20);

    private final TestDnsServer dns = TestDnsServer.start();
    private DnsDiscovery discovery;

    @AfterEach
    void stop() {
        if (discovery != null) {
            discovery.close();
        }
        dns.close();
    }

    private DnsDiscovery.Config config() {
        return DnsDiscovery.Config.of(SRV).withRefresh(Duration.ofMillis(100)).withNameServer(dns.address());
    }

    private void pod(int ordinal, String address) throws Exception {
        dns.a("consort-" + ordinal + ".consort.test", InetAddress.getByName(address));
    }

    private static TestDnsServer.Srv srv(int ordinal, int port) {
        return new TestDnsServer.Srv("consort-" + ordinal + ".consort.test", port);
    }

    private static Map<Integer, String> view(Map<Integer, DnsDiscovery.Found> found) {
        Map<Integer, String> m = new java.util.TreeMap<>();
        found.forEach((id, f) -> m.put(id, f.name() + "@" + f.address().getAddress().getHostAddress() + ":"
                + f.address().getPort()));
        return m;
    }

    @Test
    void theDaemonListFollowsTheRecordsAsPodsComeAndGo() throws Exception {
        pod(0, "127.0.0.10");
        pod(1, "127.0.0.11");
        pod(2, "127.0.0.12");
        dns.srv(SRV, List.of(srv(0, 4804)));
        AtomicReference<Map<Integer, DnsDiscovery.Found>> told = new AtomicReference<>(Map.of());
        discovery = DnsDiscovery.start(config(), told::set);

        await().atMost(WAIT).until(() -> view(told.get()).equals(Map.of(0, "consort-0@127.0.0.10:4804")));

        // Two pods start later: they join the list at the next refresh.
        dns.srv(SRV, List.of(srv(0, 4804), srv(1, 4804), srv(2, 4805)));
        await().atMost(WAIT).until(() -> view(told.get()).equals(Map.of(0, "consort-0@127.0.0.10:4804",
                1, "consort-1@127.0.0.11:4804", 2, "consort-2@127.0.0.12:4805")));

        // One goes away, another is rescheduled with a new address.
        pod(2, "127.0.0.22");
        dns.srv(SRV, List.of(srv(0, 4804), srv(2, 4805)));
        await().atMost(WAIT).until(() -> view(told.get()).equals(Map.of(0, "consort-0@127.0.0.10:4804",
                2, "consort-2@127.0.0.22:4805")));
        assertThat(discovery.current()).isEqualTo(told.get());
    }

    @Test
    void aFailingServerKeepsTheLastListAndRecordsThatNameNoDaemonAreLeftOut() throws Exception {
        pod(0, "127.0.0.10");
        pod(1, "127.0.0.11");
        dns.a("web.consort.test", InetAddress.getByName("127.0.0.30"));
        dns.srv(SRV, List.of(srv(0, 4804), srv(1, 4804), new TestDnsServer.Srv("web.consort.test", 4804)));
        discovery = DnsDiscovery.start(config(), found -> { });
        await().atMost(WAIT).until(() -> discovery.current().keySet().equals(java.util.Set.of(0, 1)));
        Map<Integer, DnsDiscovery.Found> before = discovery.current();

        dns.failing(true);
        int lookups = discovery.lookups();
        int queries = dns.queries();
        await().atMost(WAIT).until(() -> discovery.lookups() >= lookups + 3 && dns.queries() >= queries + 3);

        assertThat(discovery.current()).isEqualTo(before);
        dns.failing(false);
        dns.srv(SRV, List.of(srv(1, 4804)));
        await().atMost(WAIT).until(() -> discovery.current().keySet().equals(java.util.Set.of(1)));
    }

    @Test
    void twoTargetsWithOneIdLeaveItToTheFirstByName() throws Exception {
        pod(1, "127.0.0.11");
        dns.a("web-1.consort.test", InetAddress.getByName("127.0.0.31"));
        dns.srv(SRV, List.of(new TestDnsServer.Srv("web-1.consort.test", 4804), srv(1, 4804)));
        discovery = DnsDiscovery.start(config(), found -> { });

        await().atMost(WAIT).until(() -> !discovery.current().isEmpty());
        assertThat(view(discovery.current())).isEqualTo(Map.of(1, "consort-1@127.0.0.11:4804"));
    }

    @Test
    void idsAreTheOrdinalsThatNamesEndWith() {
        assertThat(DnsDiscovery.idOf("consort-0")).isZero();
        assertThat(DnsDiscovery.idOf("consort-17")).isEqualTo(17);
        assertThat(DnsDiscovery.idOf("d3")).isEqualTo(3);
        assertThat(DnsDiscovery.idOf("consort")).isEqualTo(-1);
        assertThat(DnsDiscovery.idOf("consort-1024")).isEqualTo(-1);
        assertThat(DnsDiscovery.idOf("consort-99999")).isEqualTo(-1);
    }

    @Test
    void aRefreshFasterThanTheFloorIsRefused() {
        assertThatThrownBy(() -> DnsDiscovery.Config.of(SRV).withRefresh(Duration.ofMillis(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 100 ms");
    }
}

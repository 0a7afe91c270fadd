package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.ServiceLevel;
import io.consort.reactive.GroupMessage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/** consortd's security settings: secure by default off loopback, and a sealed network of real processes. */
class ConsortdSecurityTest {
    private static final Duration TIMEOUT = ProcessCluster.TIMEOUT;
    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private static String key(int id, int seed, boolean send) {
        return id + " " + Base64.getEncoder().encodeToString(PacketSealerTest.key(seed)) + (send ? " send" : "") + "\n";
    }

    private Path network(String address, String extra) throws Exception {
        return write("c.yaml", "network:\n  daemons:\n"
                + "    - {name: d1, id: 1, address: " + address + "1, port: 4903}\n"
                + "    - {name: d2, id: 2, address: " + address + "2, port: 4903}\n" + extra);
    }

    @Test
    void onLoopbackNothingIsRequired() throws Exception {
        assertThat(new Consortd().plan().posture().problems()).isEmpty();
        Consortd c = new Consortd();
        c.config = network("127.0.0.", "");
        c.name = "d1";
        assertThat(c.plan().posture().problems()).isEmpty();
        assertThat(c.plan().clusterKey()).isNull();
    }

    @Test
    void offLoopbackADaemonNetworkNeedsAClusterKeyAndClientsNeedTls() throws Exception {
        Consortd c = new Consortd();
        c.config = network("10.9.8.", "");
        c.name = "d1";
        assertThat(c.plan().posture().problems()).singleElement().asString()
                .contains("10.9.8.1").contains("without a cluster key");
        Path keys = write("cluster.key", key(1, 1, true));
        c.clusterKey = keys;
        assertThat(c.plan().posture().problems()).isEmpty();
        assertThat(c.plan().selfDescription()).endsWith("sealed");
        assertThat(c.plan().options().engine().maxDatagramBytes()).as("room for the seal in the MTU")
                .isEqualTo(1500 - 28 - UdpDaemonNetwork.HEADER_BYTES - PacketSealer.OVERHEAD_BYTES);

        // network.clusterKey in the file, relative to it, does the same as --cluster-key
        Consortd f = new Consortd();
        f.config = network("10.9.8.", "  clusterKey: cluster.key\n");
        f.name = "d1";
        assertThat(f.plan().clusterKey()).isEqualTo(keys.toAbsolutePath());
        assertThat(f.plan().posture().problems()).isEmpty();

        Consortd alone = new Consortd();
        alone.host = "0.0.0.0";
        assertThat(alone.plan().posture().problems()).singleElement().asString().contains("without TLS");
        assertThat(SecurityPosture.of("0.0.0.0", true, List.of("10.0.0.1"), true).problems()).isEmpty();
        assertThat(SecurityPosture.hasTlsSection(write("t.yaml", "security:\n  tls:\n    certificateChain: a.pem\n"))).isTrue();
        assertThat(SecurityPosture.hasTlsSection(write("n.yaml", "daemon: {name: x}\n"))).isFalse();
    }

    @Test
    void consortdRefusesToStartExposedUnlessInsecure() throws Exception {
        Consortd c = new Consortd();
        c.config = network("10.9.8.", "");
        c.name = "d1";
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(c.call()).isEqualTo(2);
        } finally {
            System.setErr(err);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("refusing to start").contains("--insecure");
        Consortd badKey = new Consortd();
        badKey.config = network("127.0.0.", "  clusterKey: missing.key\n");
        badKey.name = "d1";
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            assertThat(badKey.call()).as("a missing key file is a configuration error").isEqualTo(2);
        } finally {
            System.setErr(err);
        }
    }

    @Test
    void sealedConsortdProcessesCarryTrafficAndFollowARotationOfTheirKeyFile() throws Exception {
        Path keys = write("cluster.key", key(1, 1, true));
        try (ProcessCluster cluster = new ProcessCluster(dir, 2, "  clusterKey: " + keys + "\n")) {
            cluster.start(1, 2);
            ProcessCluster.Client a = cluster.client(1, "a");
            ProcessCluster.Client b = cluster.client(2, "b");
            b.join("g");
            List<String> got = new CopyOnWriteArrayList<>();
            Disposable sub = b.session.messages("g").map(GroupMessage::text).subscribe(got::add);
            try {
                int[] n = {0};
                await().atMost(TIMEOUT).until(() -> {
                    a.session.multicast("g", ServiceLevel.AGREED, "m" + n[0]++).block(TIMEOUT);
                    return !got.isEmpty();
                });
                for (String[] phase : new String[][] {
                    {key(1, 1, true) + key(2, 2, false), "accept [1, 2], send with 1"},
                    {key(1, 1, false) + key(2, 2, true), "accept [1, 2], send with 2"},
                    {key(2, 2, true), "accept [2], send with 2"}}) {
                    Files.writeString(keys, phase[0]);
                    for (int d = 1; d <= 2; d++) {
                        Path log = cluster.logOf(d);
                        await().atMost(TIMEOUT).until(() -> Files.readString(log).contains(phase[1]));
                    }
                    int before = got.size();
                    await().atMost(TIMEOUT).until(() -> {
                        a.session.multicast("g", ServiceLevel.AGREED, "m" + n[0]++).block(TIMEOUT);
                        return got.size() > before;
                    });
                }
                assertThat(Files.readString(cluster.logOf(1))).contains("sealed");
            } finally {
                sub.dispose();
            }
        }
    }
}

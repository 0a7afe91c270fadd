package io.consort.transport.udp.spread;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.reactive.ConsortClient;
import io.consort.reactive.Session;
import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import io.consort.transport.udp.DaemonConfigFile;
import io.consort.transport.udp.SpreadConf;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/** A daemon started from a Spread user's spread.conf serves their unchanged programs on the segment port. */
class SpreadConfDaemonTest {
    @TempDir
    Path dir;

    @Test
    void spreadProgramsAndConsortClientsConnectOnTheSegmentPort() throws Exception {
        SpreadTools.home();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path conf = dir.resolve("spread.conf");
        Files.writeString(conf, "Spread_Segment 127.0.0.1:" + port + " {\n    solo 127.0.0.1\n}\n");
        DaemonConfigFile.Parsed parsed = SpreadConf.parse(conf, DaemonOptions.defaults(), w -> { });
        try (EmbeddedDaemon d = EmbeddedDaemon.start(parsed.options().withEngine(
                parsed.options().engine().withDaemonName("solo")));
                SpreadProbe alice = SpreadProbe.connected(port, "alice", true)) {
            assertThat(d.port()).isEqualTo(port);
            alice.ask("join g");
            assertThat(SpreadLine.parse(alice.recv()).get("members")).isEqualTo("#alice#solo");
            Session bob = ConsortClient.create().port(port).name("bob").connect().block(SpreadProbe.TIMEOUT);
            StepVerifier.create(bob.messages("g").take(1))
                    .then(() -> bob.join("g").block(SpreadProbe.TIMEOUT))
                    .then(() -> {
                        try {
                            assertThat(SpreadLine.parse(alice.recv()).get("changed")).isEqualTo("#bob#solo");
                            alice.ask("mcast 0x20 2 hello g");
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    })
                    .assertNext(m -> assertThat(m.text()).isEqualTo("hello"))
                    .expectComplete().verify(SpreadProbe.TIMEOUT);
            bob.close().block(SpreadProbe.TIMEOUT);
        }
    }
}

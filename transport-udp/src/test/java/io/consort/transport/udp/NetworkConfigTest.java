package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consort.daemon.DaemonOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon network part of the YAML configuration, spread.conf, and the choice of this daemon. */
class NetworkConfigTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void yamlNetworkTimeoutsAndWindows() throws IOException {
        Path f = write("c.yaml", """
                daemon:
                  name: d2
                network:
                  daemons:
                    - {name: d1, id: 1, address: 127.0.0.1, port: 4903}
                    - {name: d2, id: 2, address: 127.0.0.1, port: 4904}
                  mtu: 9000
                  multicast: 239.1.2.3:4910
                timeouts:
                  tokenLoss: 300
                  consensus: 150
                windows:
                  global: 100
                  personal: 20
                """);
        Consortd c = new Consortd();
        c.config = f;
        Consortd.Plan plan = c.plan();
        assertThat(plan.options().engine().clustered()).isTrue();
        assertThat(plan.options().engine().daemonId()).isEqualTo(2);
        assertThat(plan.options().engine().tokenLossTimeoutNanos()).isEqualTo(300_000_000L);
        assertThat(plan.options().engine().consensusTimeoutNanos()).isEqualTo(150_000_000L);
        assertThat(plan.options().engine().globalWindowMessages()).isEqualTo(100);
        assertThat(plan.options().engine().personalWindowMessages()).isEqualTo(20);
        assertThat(plan.options().engine().maxDatagramBytes()).isEqualTo(9000 - 28 - 5);
        assertThat(plan.udp().self().getPort()).isEqualTo(4904);
        assertThat(plan.udp().multicastGroup().getPort()).isEqualTo(4910);
        // --name picks another daemon of the list
        c.name = "d1";
        assertThat(c.plan().options().engine().daemonId()).isEqualTo(1);
        c.name = "d9";
        assertThatThrownBy(c::plan).hasMessageContaining(f + ": daemon 'd9' is not listed");
    }

    @Test
    void spreadSessionsNameAYamlNetworksDaemonsByTheirIds() throws IOException {
        // Spread's endpoint names the transitional configuration's daemon ids by position (id i at i - 1).
        Path f = write("ids.yaml", """
                daemon:
                  name: east
                network:
                  daemons:
                    - {name: west, id: 5, address: 127.0.0.1, port: 4903}
                    - {name: east, id: 3, address: 127.0.0.1, port: 4904}
                """);
        Consortd c = new Consortd();
        c.config = f;
        assertThat(c.plan().options().spreadDaemonOrder()).containsExactly("", "", "east", "", "west");
    }

    @Test
    void yamlNetworkErrorsNameTheLine() throws IOException {
        Path f = write("bad.yaml", """
                network:
                  daemons:
                    - {name: d1, id: 1, address: 127.0.0.1, port: 4903}
                    - {name: d2, id: 1, address: 127.0.0.1, port: 4904}
                """);
        assertThatThrownBy(() -> DaemonConfigFile.parse(f, DaemonOptions.defaults()))
                .hasMessage(f + ":4: network.daemons.id 1 is listed twice");
        Path g = write("bad2.yaml", """
                network:
                  daemons:
                    - {name: d1, id: 1, address: 127.0.0.1, port: 99999}
                """);
        assertThatThrownBy(() -> DaemonConfigFile.parse(g, DaemonOptions.defaults()))
                .hasMessage(g + ":3: network.daemons.port must be 1 to 65535, was 99999");
        Path h = write("bad3.yaml", """
                timeouts:
                  tokenLoss: 10
                  tokenRetransmit: 30
                """);
        assertThatThrownBy(() -> DaemonConfigFile.parse(h, DaemonOptions.defaults()))
                .hasMessageStartingWith(h + ":1: timeouts is invalid: tokenRetransmitNanos must be below");
    }

    @Test
    void spreadConfMapsSegmentsTimeoutsAndWindows() throws IOException {
        Path f = write("spread.conf", """
                # a Spread configuration
                Spread_Segment 239.0.0.1:4803 {
                    alpha   127.0.0.1
                    beta    127.0.0.2 {
                        D 127.0.0.2
                        C 127.0.0.2
                    }
                    gamma   127.0.0.3
                }
                Token_Timeout = 2000
                Hurry_Timeout = 500
                Join_Timeout = 100
                Gather_Timeout = 800
                Window = 120
                Personal_Window = 30
                DebugFlags = { PRINT EXIT }
                EventLogFile = /var/log/spread.log
                """);
        List<String> warnings = new ArrayList<>();
        DaemonConfigFile.Parsed p = SpreadConf.parse(f, DaemonOptions.defaults(), warnings::add);
        assertThat(p.network().daemons()).extracting(NetworkConfig.Daemon::name).containsExactly("alpha", "beta", "gamma");
        assertThat(p.network().daemons()).extracting(NetworkConfig.Daemon::id).containsExactly(1, 2, 3);
        assertThat(p.network().daemons()).extracting(NetworkConfig.Daemon::port).containsOnly(4804);
        assertThat(p.network().multicastGroup().getPort()).isEqualTo(4805);
        assertThat(p.options().port()).isEqualTo(4803);
        assertThat(p.options().engine().tokenLossTimeoutNanos()).isEqualTo(2_000_000_000L);
        assertThat(p.options().engine().tokenRetransmitNanos()).isEqualTo(500_000_000L);
        assertThat(p.options().engine().joinIntervalNanos()).isEqualTo(100_000_000L);
        assertThat(p.options().engine().consensusTimeoutNanos()).isEqualTo(800_000_000L);
        assertThat(p.options().engine().globalWindowMessages()).isEqualTo(120);
        assertThat(p.options().engine().personalWindowMessages()).isEqualTo(30);
        assertThat(warnings).hasSize(2).first().asString().contains(f + ":16: DebugFlags");
    }

    @Test
    void spreadConfErrorsNameTheLine() throws IOException {
        Path f = write("broken.conf", """
                Spread_Segment 127.0.0.255:4803 {
                    alpha 127.0.0.1
                    alpha 127.0.0.2
                }
                """);
        assertThatThrownBy(() -> SpreadConf.parse(f, DaemonOptions.defaults(), w -> { }))
                .hasMessage(f + ":3: daemon 'alpha' is listed twice");
        Path g = write("broken2.conf", """
                Spread_Segment 127.0.0.255:4803 {
                    alpha 127.0.0.1
                }
                Colour = blue
                """);
        assertThatThrownBy(() -> SpreadConf.parse(g, DaemonOptions.defaults(), w -> { }))
                .hasMessage(g + ":4: unknown setting 'Colour'");
        Path h = write("broken3.conf", """
                Spread_Segment 127.0.0.255:4803 {
                    alpha 127.0.0.1
                Window = x
                """);
        assertThatThrownBy(() -> SpreadConf.parse(h, DaemonOptions.defaults(), w -> { }))
                .hasMessageStartingWith(h + ":3: expected a daemon line");
    }

    @Test
    void noConfigurationIsOneDaemonOnLocalhost() {
        Consortd.Plan plan = new Consortd().plan();
        assertThat(plan.udp()).isNull();
        assertThat(plan.options().engine().clustered()).isFalse();
        assertThat(plan.options().port()).isEqualTo(4803);
        assertThat(plan.options().host()).isEqualTo("127.0.0.1");
    }
}

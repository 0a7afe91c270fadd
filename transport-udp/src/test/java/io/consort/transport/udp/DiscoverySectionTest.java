package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consort.daemon.DaemonOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code network.discovery} in consortd's YAML: what it sets, and the mistakes it names. */
class DiscoverySectionTest {
    @TempDir
    Path dir;

    private Path file(String yaml) throws Exception {
        Path f = dir.resolve("consortd.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void discoveryReplacesTheDaemonList() throws Exception {
        NetworkConfig net = DaemonConfigFile.parse(file("""
                network:
                  discovery:
                    srv: _daemon._udp.consort.prod.svc.cluster.local
                    port: 4900
                    refreshMillis: 2000
                    nameServer: 10.96.0.10
                """), DaemonOptions.defaults()).network();

        assertThat(net.daemons()).isEmpty();
        NetworkConfig.Discovery d = net.discovery();
        assertThat(d.dns().srvName()).isEqualTo("_daemon._udp.consort.prod.svc.cluster.local");
        assertThat(d.dns().refresh()).isEqualTo(Duration.ofSeconds(2));
        assertThat(d.dns().nameServer().getPort()).isEqualTo(53);
        assertThat(d.port()).isEqualTo(4900);
        assertThat(d.address()).isEqualTo("0.0.0.0");
    }

    @Test
    void mistakesNameTheKey() throws Exception {
        assertThatThrownBy(() -> DaemonConfigFile.parse(file("""
                network:
                  discovery: {srv: _d._udp.x.test}
                  daemons:
                    - {name: d1, id: 1, address: 127.0.0.1, port: 4804}
                """), DaemonOptions.defaults())).hasMessageContaining("cannot both be given");
        assertThatThrownBy(() -> DaemonConfigFile.parse(file("""
                network:
                  discovery: {port: 4804}
                """), DaemonOptions.defaults())).hasMessageContaining("network.discovery needs srv");
        assertThatThrownBy(() -> DaemonConfigFile.parse(file("""
                network:
                  discovery:
                    srv: _d._udp.x.test
                    refreshMillis: 5
                """), DaemonOptions.defaults())).hasMessageContaining(":4: network.discovery.refreshMillis")
                .hasMessageContaining("at least 100 ms");
        assertThatThrownBy(() -> DaemonConfigFile.parse(file("""
                network:
                  discovery: {srv: _d._udp.x.test, nameServer: dns.example}
                """), DaemonOptions.defaults())).hasMessageContaining("network.discovery.nameServer must be an address");
    }

    @Test
    void theDaemonsIdIsItsNamesOrdinal() throws Exception {
        Path f = file("""
                network:
                  discovery: {srv: _d._udp.x.test, address: 127.0.0.1, port: 4900}
                """);
        Consortd c = new Consortd();
        new CommandLine(c).parseArgs("--config", f.toString(), "--name", "consort-3");
        Consortd.Plan plan = c.plan();
        assertThat(plan.udp().selfId()).isEqualTo(3);
        assertThat(plan.udp().self().getPort()).isEqualTo(4900);
        assertThat(plan.options().engine().clustered()).isTrue();
        assertThat(plan.discovery().srvName()).isEqualTo("_d._udp.x.test");

        Consortd unnamed = new Consortd();
        new CommandLine(unnamed).parseArgs("--config", f.toString());
        assertThatThrownBy(unnamed::plan).hasMessageContaining("needs this daemon's name");
        Consortd noOrdinal = new Consortd();
        new CommandLine(noOrdinal).parseArgs("--config", f.toString(), "--name", "web");
        assertThatThrownBy(noOrdinal::plan).hasMessageContaining("must end in its id");
    }
}

package io.consort.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.daemon.DaemonOptions;
import io.consort.transport.udp.DaemonConfigFile;
import io.consort.transport.udp.NetworkConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example configuration shipped in the archive's conf/ is one consortd reads, its values are
 * the defaults it says they are, and its commented-out daemon network works once uncommented.
 */
class ExampleConfigTest {
    static final Path EXAMPLE = Path.of("src/main/dist/conf/consortd.yaml");

    @Test
    void theExampleParsesAndShowsTheDefaults() {
        DaemonOptions defaults = DaemonOptions.defaults();
        DaemonConfigFile.Parsed parsed = DaemonConfigFile.parse(EXAMPLE, defaults);

        assertThat(parsed.network()).isNull();
        DaemonOptions o = parsed.options();
        assertThat(o.host()).isEqualTo(defaults.host());
        assertThat(o.port()).isEqualTo(defaults.port());
        assertThat(o.engine().daemonName()).isEqualTo(defaults.engine().daemonName());
        // A default changed in the code and not in the example would mislead every operator reading it.
        assertThat(o.engine().timeouts()).isEqualTo(defaults.engine().timeouts());
        assertThat(o.engine().windows()).isEqualTo(defaults.engine().windows());
        assertThat(o.engine().limits()).isEqualTo(defaults.engine().limits());
    }

    @Test
    void theCommentedDaemonNetworkIsValidOnceUncommented(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("consortd.yaml");
        Files.writeString(file, uncomment(Files.readAllLines(EXAMPLE), "#network:"));
        Files.writeString(dir.resolve("cluster.key"), "unused: only the network section is read here\n");

        NetworkConfig net = DaemonConfigFile.parse(file, DaemonOptions.defaults()).network();

        assertThat(net).isNotNull();
        assertThat(net.daemons()).extracting(NetworkConfig.Daemon::name).containsExactly("d1", "d2", "d3");
        assertThat(net.multicastGroup()).isNotNull();
        assertThat(net.clusterKey()).isEqualTo(dir.resolve("cluster.key"));
    }

    @Test
    void theCommentedDnsDiscoveryIsValidOnceUncommented(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("consortd.yaml");
        Files.writeString(file, uncomment(Files.readAllLines(EXAMPLE), "#network:   # found in DNS"));

        NetworkConfig net = DaemonConfigFile.parse(file, DaemonOptions.defaults()).network();

        assertThat(net.daemons()).isEmpty();
        assertThat(net.discovery().dns().srvName()).isEqualTo("_daemon._udp.consort");
        assertThat(net.discovery().port()).isEqualTo(4804);
    }

    @Test
    void theCommentedSpreadSectionIsValidOnceUncommented(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("consortd.yaml");
        Files.writeString(file, uncomment(Files.readAllLines(EXAMPLE), "#spread:"));

        DaemonOptions o = DaemonConfigFile.parse(file, DaemonOptions.defaults()).options();

        assertThat(o.spreadPort()).isNotEqualTo(DaemonOptions.defaults().spreadPort());
    }

    /** The file with the commented block that starts at {@code header} uncommented (up to the next blank line). */
    static String uncomment(List<String> lines, String header) {
        List<String> out = new ArrayList<>();
        boolean inBlock = false;
        for (String line : lines) {
            if (line.equals(header)) {
                inBlock = true;
            } else if (line.isBlank()) {
                inBlock = false;
            }
            out.add(inBlock ? line.substring(1) : line);
        }
        assertThat(String.join("\n", out)).contains(header.substring(1));
        return String.join("\n", out) + "\n";
    }
}

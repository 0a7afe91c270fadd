package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consort.core.EngineConfig;
import io.consort.daemon.DaemonOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonConfigFileTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path f = dir.resolve("consort.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void readsEveryKey() throws IOException {
        Path f = write("""
                daemon:
                  name: d7
                  host: 127.0.0.2
                  clientPort: 5803
                limits:
                  maxMessageBytes: 4194304
                  maxGroupsPerMessage: 16
                  maxSessions: 50
                  sessionBufferBytesMax: 1048576
                  sendWindowMessages: 32
                  slowConsumerPolicy: hold-back-senders
                """);
        DaemonOptions o = DaemonConfigFile.read(f, DaemonOptions.defaults());
        assertThat(o.host()).isEqualTo("127.0.0.2");
        assertThat(o.port()).isEqualTo(5803);
        EngineConfig e = o.engine();
        assertThat(e.daemonName()).isEqualTo("d7");
        assertThat(e.maxMessageBytes()).isEqualTo(4 << 20);
        assertThat(e.maxGroupsPerMessage()).isEqualTo(16);
        assertThat(e.maxSessions()).isEqualTo(50);
        assertThat(e.sessionBufferBytesMax()).isEqualTo(1 << 20);
        assertThat(e.sendWindowMessages()).isEqualTo(32);
        assertThat(e.slowConsumerPolicy()).isEqualTo(EngineConfig.SlowConsumerPolicy.HOLD_BACK_SENDERS);
    }

    @Test
    void theLeaveTimeoutDefaultsToFiveTokenLossTimeoutsAndCanBeSet() throws IOException {
        EngineConfig byDefault = DaemonConfigFile.read(write("timeouts:\n  tokenLoss: 300\n"),
                DaemonOptions.defaults()).engine();
        assertThat(byDefault.leaveTimeoutNanos()).isEqualTo(1_500_000_000L);
        EngineConfig set = DaemonConfigFile.read(write("timeouts:\n  leave: 250\n"), DaemonOptions.defaults()).engine();
        assertThat(set.leaveTimeoutNanos()).isEqualTo(250_000_000L);
        Path bad = write("timeouts:\n  leave: 0\n");
        assertThatThrownBy(() -> DaemonConfigFile.read(bad, DaemonOptions.defaults()))
                .hasMessageContaining("timeouts.leave must be a positive number of milliseconds");
    }

    @Test
    void missingKeysKeepTheirDefaultsAndAnEmptyFileIsTheDefault() throws IOException {
        DaemonOptions o = DaemonConfigFile.read(write("limits:\n  maxSessions: 3\n"), DaemonOptions.defaults());
        assertThat(o.port()).isEqualTo(DaemonOptions.DEFAULT_PORT);
        assertThat(o.engine().maxMessageBytes()).isEqualTo(EngineConfig.DEFAULT_MAX_MESSAGE_BYTES);
        assertThat(DaemonConfigFile.read(write(""), DaemonOptions.defaults())).isEqualTo(DaemonOptions.defaults());
    }

    @Test
    void anUnknownKeyIsNamedWithItsFileAndLine() throws IOException {
        Path f = write("daemon:\n  name: d1\n  clientPrt: 5803\n");
        assertThatThrownBy(() -> DaemonConfigFile.read(f, DaemonOptions.defaults()))
                .hasMessageStartingWith(f + ":3: daemon.clientPrt is not a known key");
    }

    @Test
    void aBadValueIsNamedWithItsFileLineAndReason() throws IOException {
        Path f = write("daemon:\n  name: d1\nlimits:\n  maxMessageBytes: -5\n");
        assertThatThrownBy(() -> DaemonConfigFile.read(f, DaemonOptions.defaults()))
                .hasMessageStartingWith(f + ":4: limits.maxMessageBytes is invalid")
                .hasMessageContaining("must be positive");
        Path g = write("daemon:\n  clientPort: lots\n");
        assertThatThrownBy(() -> DaemonConfigFile.read(g, DaemonOptions.defaults()))
                .hasMessageStartingWith(g + ":2: daemon.clientPort must be a whole number");
        Path h = write("limits:\n  slowConsumerPolicy: drop\n");
        assertThatThrownBy(() -> DaemonConfigFile.read(h, DaemonOptions.defaults()))
                .hasMessageContaining(":2: limits.slowConsumerPolicy must be disconnect or hold-back-senders");
    }

    @Test
    void brokenYamlIsReportedWithItsLine() throws IOException {
        Path f = write("daemon:\n  name: [unclosed\n");
        assertThatThrownBy(() -> DaemonConfigFile.read(f, DaemonOptions.defaults()))
                .hasMessageStartingWith(f + ":")
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void theSpreadEndpointIsOffByDefaultAndConfiguredByPort() throws IOException {
        assertThat(DaemonConfigFile.read(write("daemon:\n  name: d1\n"), DaemonOptions.defaults()).spreadPort())
                .isEqualTo(DaemonOptions.SPREAD_OFF);
        assertThat(DaemonConfigFile.read(write("spread:\n  port: 4804\n"), DaemonOptions.defaults()).spreadPort())
                .isEqualTo(4804);
        assertThat(DaemonConfigFile.read(write("spread: {}\n"), DaemonOptions.defaults()).spreadPort())
                .isEqualTo(DaemonOptions.SPREAD_ON_CLIENT_PORT);
        assertThat(DaemonConfigFile.read(write("spread:\n  port: 4804\n  enabled: false\n"),
                DaemonOptions.defaults()).spreadPort()).isEqualTo(DaemonOptions.SPREAD_OFF);
        Path bad = write("spread:\n  port: 70000\n");
        assertThatThrownBy(() -> DaemonConfigFile.read(bad, DaemonOptions.defaults()))
                .hasMessageStartingWith(bad + ":2: spread.port is invalid");
        Path unknown = write("spread:\n  prot: 1\n");
        assertThatThrownBy(() -> DaemonConfigFile.read(unknown, DaemonOptions.defaults()))
                .hasMessageContaining("spread.prot is not a known key");
    }

    @Test
    void consortdSharesTheClientPortWhenTheSpreadPortIsTheSameAndServesSpreadForASpreadConf() throws IOException {
        Consortd same = new Consortd();
        same.config = write("daemon:\n  clientPort: 5803\nspread:\n  port: 5803\n");
        assertThat(same.plan().options().spreadPort()).isEqualTo(DaemonOptions.SPREAD_ON_CLIENT_PORT);
        Consortd other = new Consortd();
        other.config = same.config;
        other.spreadPort = 5804;
        assertThat(other.plan().options().spreadPort()).isEqualTo(5804);

        Path conf = dir.resolve("spread.conf");
        Files.writeString(conf, "Spread_Segment 127.0.0.1:4903 {\n    d1 127.0.0.1\n}\n");
        Consortd fromSpread = new Consortd();
        fromSpread.config = conf;
        DaemonOptions o = fromSpread.plan().options();
        assertThat(o.port()).isEqualTo(4903);
        assertThat(o.spreadPort()).isEqualTo(DaemonOptions.SPREAD_ON_CLIENT_PORT);
        Consortd off = new Consortd();
        off.config = conf;
        off.noSpread = true;
        assertThat(off.plan().options().spreadPort()).isEqualTo(DaemonOptions.SPREAD_OFF);
    }
}

package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consort.daemon.admin.AdminOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** consortd's admin section: off without it, loopback by default, mistakes named with their line. */
class AdminSectionTest {
    @TempDir
    Path dir;

    private Path yaml(String text) throws Exception {
        Path f = dir.resolve("consort.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void noSectionNoAdminPort() throws Exception {
        assertThat(AdminSection.read(yaml("daemon: {name: d1}\n"))).isNull();
        assertThat(AdminSection.read(null)).isNull();
    }

    @Test
    void theSectionGivesPortAddressAndFaultInjection() throws Exception {
        Path f = yaml("daemon: {name: d1}\nadmin: {port: 9999}\n");
        assertThat(AdminSection.read(f)).isEqualTo(new AdminOptions("127.0.0.1", 9999, false));
        DaemonConfigFile.parse(f, io.consort.daemon.DaemonOptions.defaults()); // the main reader accepts the section
        assertThat(AdminSection.read(yaml("admin:\n  address: 0.0.0.0\n  allowFaultInjection: true\n")))
                .isEqualTo(new AdminOptions("0.0.0.0", AdminOptions.DEFAULT_PORT, true));
    }

    @Test
    void mistakesNameTheFileAndLine() throws Exception {
        assertThatThrownBy(() -> AdminSection.read(yaml("daemon: {name: d1}\nadmin:\n  prot: 1\n")))
                .isInstanceOf(DaemonConfigFile.ConfigException.class).hasMessageContaining("consort.yaml:3: admin.prot");
        assertThatThrownBy(() -> AdminSection.read(yaml("admin:\n  port: 70000\n")))
                .hasMessageContaining(":2: admin.port is invalid");
        assertThatThrownBy(() -> AdminSection.read(yaml("admin:\n  allowFaultInjection: yes please\n")))
                .hasMessageContaining("admin.allowFaultInjection must be true or false");
    }

    @Test
    void theCommandLineChoosesThePort() throws Exception {
        Consortd c = new Consortd();
        new picocli.CommandLine(c).parseArgs("--config", yaml("admin: {port: 9999}\n").toString(), "--admin-port", "0");
        assertThat(c.adminOptions()).isEqualTo(new AdminOptions("127.0.0.1", 0, false));
        Consortd none = new Consortd();
        new picocli.CommandLine(none).parseArgs("--admin-port", "0");
        assertThat(none.adminOptions()).isEqualTo(AdminOptions.defaults().withPort(0));
    }
}

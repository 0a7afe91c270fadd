package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nemesis ({@link Nemesis}) over five consortd processes in network namespaces, judged by the
 * simulator's invariant checker. CI runs 150 s of faults on seed 1 (about three minutes with start-up
 * and convergence); {@code transport-udp/scripts/nemesis SECONDS SEED} runs any length and seed:
 *
 * <pre>
 * mvn -B -q -pl transport-udp -am test -Dtest=NemesisTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dconsort.nemesis.seconds=600 -Dconsort.nemesis.seed=7
 * </pre>
 *
 * A failing run keeps the client logs and daemon logs in {@code /tmp/consort-nemesis-<seed>/}.
 * Skipped, with the reason, where the machine cannot make network namespaces (not root, no ip).
 */
class NemesisTest {
    @TempDir
    Path dir;

    @Test
    void randomOverlappingFaultsOnRealDaemonsKeepEveryInvariant() throws Exception {
        NetnsNetwork.assumeAvailable();
        long seed = Long.getLong("consort.nemesis.seed", 1);
        Duration faults = Duration.ofSeconds(Long.getLong("consort.nemesis.seconds", 150));
        try (NetnsNetwork net = new NetnsNetwork(5)) {
            Nemesis nemesis = new Nemesis(net, dir, seed, faults);
            Nemesis.Report report = null;
            try {
                report = nemesis.run();
            } finally {
                boolean failed = report == null || !report.violations().isEmpty();
                boolean keepAnyway = Boolean.getBoolean("consort.nemesis.keepLogs");
                Path keep = Path.of(System.getProperty("java.io.tmpdir"), "consort-nemesis-" + seed);
                nemesis.close(failed || keepAnyway ? keep : null);
                if (failed || keepAnyway) {
                    System.out.println("nemesis: logs kept in " + keep);
                }
            }
            System.out.println(report.summary());
            System.out.println("nemesis: replay with transport-udp/scripts/nemesis " + faults.toSeconds() + " " + seed);
            assertThat(report.faults().values().stream().mapToInt(Integer::intValue).sum())
                    .as("faults applied").isGreaterThan(0);
            assertThat(report.deliveries()).as("deliveries checked").isGreaterThan(0);
            assertThat(report.violations()).as(report.summary()).isEmpty();
        }
    }
}

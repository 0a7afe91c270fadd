package io.consort.bench.harness;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Spread's own flooder, {@code spflooder}, unchanged, through Spread 4.4.0's daemon and through
 * consortd (its Spread-protocol endpoint), one after the other with the same settings: msgs/s for
 * both. Each daemon gets its own port and 127.0.0.x address. Spread's daemon chroots when started
 * as root, so as root it runs as the unprivileged user {@code nobody} (through {@code setpriv}).
 * {@code consortd-ring} is three consortd processes started from one spread.conf (127.0.0.x to
 * x + 2), the flooder on the first: its messages go round the ring.
 *
 * <pre>
 * .ci/build-spread      # Spread 4.4.0 into target/spread-4.4.0
 * mvn -q -B package -pl bench -am -DskipTests
 * java -jar bench/target/consort-bench.jar spflooder --messages 100000 --bytes 1000 --rounds 3
 * </pre>
 */
@Command(name = "spflooder", mixinStandardHelpOptions = true,
        description = {"Runs Spread's spflooder through Spread 4.4.0's daemon and through consortd, same settings.",
            "Prints msgs/s per run and the median per daemon. Needs .ci/build-spread and consortd.jar."})
public final class SpflooderCommand implements Callable<Integer> {
    @Option(names = "--spread-home", defaultValue = "target/spread-4.4.0",
            description = "Where .ci/build-spread installed Spread 4.4.0 (default ${DEFAULT-VALUE}).")
    Path spreadHome;

    @Option(names = "--consortd-jar", defaultValue = "transport-udp/target/consortd.jar",
            description = "consortd's jar (default ${DEFAULT-VALUE}).")
    Path consortdJar;

    @Option(names = {"-m", "--messages"}, defaultValue = "100000", description = "spflooder -m (default ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = {"-b", "--bytes"}, defaultValue = "1000", description = "spflooder -b (default ${DEFAULT-VALUE}).")
    int bytes;

    @Option(names = "--rounds", defaultValue = "3", description = "Runs per daemon (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--systems", split = ",", defaultValue = "spread,consortd",
            description = "Which daemons, in order: spread, consortd, consortd-ring (default ${DEFAULT-VALUE}).")
    List<String> systems;

    @Option(names = "--timeout", defaultValue = "300", description = "Seconds one spflooder run may take.")
    int timeoutSeconds;

    @Option(names = "--verbose", description = "Echo the daemons' output.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        Path flooder = spreadHome.resolve("bin/spflooder");
        if (!Files.isExecutable(flooder)) {
            System.err.println("spflooder: " + flooder + " is missing: run .ci/build-spread (or pass --spread-home)");
            return 2;
        }
        int address = 2;
        for (String system : systems) {
            String host = "127.0.0." + address;
            address += "consortd-ring".equals(system) ? 3 : 1;
            int port = freePort();
            List<Double> rates = new ArrayList<>();
            try (Daemon d = start(system, host, port)) {
                for (int r = 0; r < rounds; r++) {
                    double rate = flood(flooder, port + "@" + host, "f" + r);
                    rates.add(rate);
                    System.out.printf(Locale.ROOT, "%s round %d: %d msgs of %d bytes, %.0f msgs/s%n", system, r + 1,
                            messages, bytes, rate);
                }
            }
            rates.sort(null);
            System.out.printf(Locale.ROOT, "%s median: %.0f msgs/s%n", system, rates.get(rates.size() / 2));
        }
        return 0;
    }

    /** One spflooder run: msgs/s from its start to its exit (it ends once all its messages came back). */
    private double flood(Path flooder, String spreadName, String user) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            long start = System.nanoTime();
            Process p = new ProcessBuilder(flooder.toString(), "-u", user, "-m", String.valueOf(messages), "-b",
                    String.valueOf(bytes), "-s", spreadName).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("spflooder did not finish in " + timeoutSeconds + " s");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (out.contains("completed multicast of")) {
                return messages / seconds;
            }
            if (System.nanoTime() > deadline || !out.contains("SP_connect")) {
                throw new IllegalStateException("spflooder failed: " + out.lines().limit(10).toList());
            }
            Thread.sleep(200); // the daemon is not accepting yet: try again
        }
    }

    private Daemon start(String system, String host, int port) throws Exception {
        return switch (system) {
            case "spread" -> {
                Path dir = Files.createTempDirectory("spflooder-spread");
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
                Path conf = dir.resolve("spread.conf");
                Files.writeString(conf, "Spread_Segment " + host + ":" + port + " {\n    bench " + host + "\n}\n");
                List<String> cmd = new ArrayList<>();
                if ("root".equals(System.getProperty("user.name"))) {
                    cmd.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
                }
                cmd.addAll(List.of(spreadHome.resolve("sbin/spread").toString(), "-n", "bench", "-c", conf.toString()));
                yield new Daemon(List.of(new MemberProcess("spread", cmd, verbose)), dir);
            }
            case "consortd" -> {
                requireConsortd();
                List<String> cmd = List.of(java(), "-jar", consortdJar.toString(), "--host", host, "--port", String.valueOf(port),
                        "--spread-port", String.valueOf(port), "--name", "bench");
                MemberProcess p = new MemberProcess("consortd", cmd, verbose);
                p.await(l -> l.contains("Spread 4.4 clients on"), System.nanoTime() + TimeUnit.SECONDS.toNanos(60),
                        "'Spread 4.4 clients on'");
                yield new Daemon(List.of(p), null);
            }
            case "consortd-ring" -> {
                requireConsortd();
                Path dir = Files.createTempDirectory("spflooder-ring");
                String prefix = host.substring(0, host.lastIndexOf('.') + 1);
                int first = Integer.parseInt(host.substring(host.lastIndexOf('.') + 1));
                StringBuilder conf = new StringBuilder("Spread_Segment " + prefix + "255:" + port + " {\n");
                for (int i = 0; i < 3; i++) {
                    conf.append("    r").append(i + 1).append(' ').append(prefix).append(first + i).append('\n');
                }
                Path file = dir.resolve("spread.conf");
                Files.writeString(file, conf.append("}\n").toString());
                List<MemberProcess> ring = new ArrayList<>();
                try {
                    for (int i = 0; i < 3; i++) {
                        String self = prefix + (first + i);
                        MemberProcess p = new MemberProcess("consortd-r" + (i + 1), List.of(java(), "-jar",
                                consortdJar.toString(), "--spread-conf", file.toString(), "--name", "r" + (i + 1),
                                "--host", self), verbose);
                        ring.add(p);
                        p.await(l -> l.contains("Spread 4.4 clients on " + self),
                                System.nanoTime() + TimeUnit.SECONDS.toNanos(60), "'Spread 4.4 clients on'");
                    }
                } catch (Exception | Error e) {
                    new Daemon(ring, dir).close();
                    throw e;
                }
                yield new Daemon(ring, dir);
            }
            default -> throw new IllegalArgumentException("--systems: spread, consortd or consortd-ring, not " + system);
        };
    }

    private void requireConsortd() {
        if (!Files.isRegularFile(consortdJar)) {
            throw new IllegalStateException(consortdJar + " is missing: mvn -q -B package -pl transport-udp -am"
                    + " -DskipTests, or pass --consortd-jar");
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private record Daemon(List<MemberProcess> processes, Path dir) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            for (MemberProcess p : processes) {
                p.terminate();
            }
            if (dir != null) {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

package io.consort.bench.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The consortd processes of one Consort run, started from {@code consortd.jar} and stopped with
 * SIGTERM (consortd's graceful stop).
 *
 * <p>Today consortd is one daemon, so only {@code daemons == 1} runs. When the multi-daemon
 * consortd lands (branch {@code net}), {@link #start} writes one YAML configuration listing the
 * three daemons on 127.0.0.1 and starts consortd once per daemon with it; {@link #daemonCommand}
 * is the one place that needs its command line. Everything downstream (a sender on daemon 0, a
 * receiver on each other daemon, result collection) already uses {@link #clientPorts()}.
 */
final class Consortds implements AutoCloseable {
    private final List<MemberProcess> daemons;
    private final int[] clientPorts;

    private Consortds(List<MemberProcess> daemons, int[] clientPorts) {
        this.daemons = daemons;
        this.clientPorts = clientPorts;
    }

    static Consortds start(int count, Path jar, List<String> jvm, String slowConsumerPolicy, long deadlineNanos,
            boolean verbose) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with mvn -q -B package -pl transport-udp -am"
                    + " -DskipTests, or pass --consortd-jar");
        }
        if (count != 1) {
            throw new UnsupportedOperationException("--daemons " + count + " needs the multi-daemon consortd "
                    + "(branch net): fill in Consortds.daemonCommand with its configuration and command line");
        }
        Path config = Files.createTempFile("consortd-bench", ".yaml");
        config.toFile().deleteOnExit();
        Files.writeString(config, "limits:\n  slowConsumerPolicy: " + slowConsumerPolicy + "\n");
        List<MemberProcess> started = new ArrayList<>();
        int[] ports = new int[count];
        try {
            for (int i = 0; i < count; i++) {
                MemberProcess p = new MemberProcess("consortd-d" + i, daemonCommand(jar, jvm, config, i), verbose);
                started.add(p);
                String line = p.await(l -> l.contains("serving clients on"), deadlineNanos, "'serving clients on'");
                ports[i] = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).trim());
            }
        } catch (Exception e) {
            started.forEach(MemberProcess::terminate);
            throw e;
        }
        return new Consortds(started, ports);
    }

    /** The command line of daemon {@code i}; single-daemon today (a free client port, name d0, {@code config}). */
    static List<String> daemonCommand(Path jar, List<String> jvm, Path config, int i) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.add("-Djava.net.preferIPv4Stack=true");
        cmd.addAll(List.of("-jar", jar.toString(), "--config", config.toString(), "--host", "127.0.0.1", "--port", "0", "--name", "d" + i));
        return cmd;
    }

    /** The client port of each daemon, in daemon order. */
    int[] clientPorts() {
        return clientPorts.clone();
    }

    @Override
    public void close() {
        daemons.forEach(MemberProcess::terminate);
    }
}

package io.consort.bench.harness;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The consortd processes of one Consort run, started from {@code consortd.jar} and stopped with
 * SIGTERM (consortd's graceful stop).
 *
 * <p>With one daemon, consortd runs alone (name d1). With more, {@link #start} writes one YAML
 * configuration listing the daemons d1..dN on 127.0.0.1 with distinct free UDP ports (and the
 * datagram size {@code mtu}), and starts consortd once per daemon with it and its own
 * {@code --name}. Everything downstream (a sender on the first daemon, a receiver on each other
 * daemon, result collection) uses {@link #clientPorts()}.
 */
final class Consortds implements AutoCloseable {
    private static final Pattern SERVING = Pattern.compile("serving clients on [0-9.]+:(\\d+)");

    private final List<MemberProcess> daemons;
    private final int[] clientPorts;

    private Consortds(List<MemberProcess> daemons, int[] clientPorts) {
        this.daemons = daemons;
        this.clientPorts = clientPorts;
    }

    /**
     * Starts {@code count} daemons from one configuration: {@code tokenLossMillis} is consortd's
     * {@code timeouts.tokenLoss} and {@code maxSessions} its {@code limits.maxSessions} (0 leaves either at
     * consortd's default), {@code settings} more of its configuration ({@code section.key=value} each, see
     * {@link #config}) and, if {@code sealed}, a network's daemon traffic is sealed under a fresh cluster key
     * (network.clusterKey).
     */
    static Consortds start(int count, Path jar, List<String> jvm, String slowConsumerPolicy, int mtu,
            int tokenLossMillis, int maxSessions, List<String> settings, boolean sealed, long deadlineNanos,
            boolean verbose) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with mvn -q -B package -pl transport-udp -am"
                    + " -DskipTests, or pass --consortd-jar");
        }
        if (count < 1) {
            throw new IllegalArgumentException("--daemons " + count);
        }
        Path config = Files.createTempFile("consortd-bench", ".yaml");
        config.toFile().deleteOnExit();
        Files.writeString(config, config(count, slowConsumerPolicy, mtu, tokenLossMillis, maxSessions, settings)
                + (sealed && count > 1 ? "  clusterKey: " + clusterKeyFile() + "\n" : ""));
        List<MemberProcess> started = new ArrayList<>();
        int[] ports = new int[count];
        try {
            for (int i = 0; i < count; i++) {
                MemberProcess p = new MemberProcess("consortd-d" + i, daemonCommand(jar, jvm, config, i), verbose);
                started.add(p);
                String line = p.await(l -> l.contains("serving clients on"), deadlineNanos, "'serving clients on'");
                Matcher m = SERVING.matcher(line);
                if (!m.find()) {
                    throw new IllegalStateException("no client port in: " + line);
                }
                ports[i] = Integer.parseInt(m.group(1));
            }
        } catch (Exception e) {
            started.forEach(MemberProcess::terminate);
            throw e;
        }
        return new Consortds(started, ports);
    }

    /** The configuration: the slow-consumer policy and, for a network, the daemons on loopback. */
    static String config(int count, String slowConsumerPolicy, int mtu, int tokenLossMillis) throws IOException {
        return config(count, slowConsumerPolicy, mtu, tokenLossMillis, 0);
    }

    /** The same, with {@code limits.maxSessions} when {@code maxSessions} is above 0. */
    static String config(int count, String slowConsumerPolicy, int mtu, int tokenLossMillis, int maxSessions)
            throws IOException {
        return config(count, slowConsumerPolicy, mtu, tokenLossMillis, maxSessions, List.of());
    }

    /**
     * The same, with {@code settings} of the form {@code section.key=value} (for example
     * {@code timeouts.rotationMinMicros=500} or {@code limits.sendWindowMessages=1024}) added to their
     * sections; a setting overrides what the other parameters put under the same key.
     */
    static String config(int count, String slowConsumerPolicy, int mtu, int tokenLossMillis, int maxSessions,
            List<String> settings) throws IOException {
        java.util.Map<String, java.util.Map<String, String>> sections = new java.util.LinkedHashMap<>();
        sections.computeIfAbsent("limits", k -> new java.util.LinkedHashMap<>()).put("slowConsumerPolicy",
                slowConsumerPolicy);
        if (maxSessions > 0) {
            sections.get("limits").put("maxSessions", Integer.toString(maxSessions));
        }
        if (tokenLossMillis > 0) {
            sections.computeIfAbsent("timeouts", k -> new java.util.LinkedHashMap<>()).put("tokenLoss",
                    Integer.toString(tokenLossMillis));
        }
        for (String setting : settings) {
            int dot = setting.indexOf('.');
            int eq = setting.indexOf('=');
            if (dot <= 0 || eq <= dot + 1) {
                throw new IllegalArgumentException("a consortd setting is section.key=value, not '" + setting + "'");
            }
            sections.computeIfAbsent(setting.substring(0, dot), k -> new java.util.LinkedHashMap<>())
                    .put(setting.substring(dot + 1, eq), setting.substring(eq + 1));
        }
        StringBuilder y = new StringBuilder();
        sections.forEach((section, keys) -> {
            y.append(section).append(":\n");
            keys.forEach((k, v) -> y.append("  ").append(k).append(": ").append(v).append('\n'));
        });
        if (count > 1) {
            y.append("network:\n  mtu: ").append(mtu).append("\n  daemons:\n");
            for (int i = 1; i <= count; i++) {
                y.append("    - {name: d").append(i).append(", id: ").append(i)
                        .append(", address: 127.0.0.1, port: ").append(freeUdpPort()).append("}\n");
            }
        }
        return y.toString();
    }

    /** A key file with one fresh random AES-256 key, readable by this user only. */
    static Path clusterKeyFile() throws IOException {
        Path f = Files.createTempFile("consortd-bench", ".key");
        f.toFile().deleteOnExit();
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Files.writeString(f, "1 " + java.util.Base64.getEncoder().encodeToString(key) + " send\n");
        f.toFile().setReadable(false, false);
        f.toFile().setReadable(true, true);
        return f;
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The command line of daemon {@code i} (0-based; name d{@code i+1}): a free client port and {@code config}. */
    static List<String> daemonCommand(Path jar, List<String> jvm, Path config, int i) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmOptions.forProcess(jvm, "consortd-d" + (i + 1)));
        cmd.add("-Djava.net.preferIPv4Stack=true");
        cmd.addAll(List.of("-jar", jar.toString(), "--config", config.toString(), "--host", "127.0.0.1", "--port", "0", "--name", "d" + (i + 1)));
        return cmd;
    }

    /** The client port of each daemon, in daemon order. */
    int[] clientPorts() {
        return clientPorts.clone();
    }

    /**
     * Each daemon's used heap in bytes right after a full collection: {@code jcmd <pid> GC.run} (a
     * System.gc(), a full collection with G1) twice, then the {@code used} figure of
     * {@code jcmd <pid> GC.heap_info}. Bounded by {@code timeoutSeconds} per jcmd call.
     */
    long[] usedHeapAfterFullGc(long timeoutSeconds) throws Exception {
        long[] used = new long[daemons.size()];
        for (int i = 0; i < used.length; i++) {
            long pid = daemons.get(i).pid();
            jcmd(pid, "GC.run", timeoutSeconds);
            jcmd(pid, "GC.run", timeoutSeconds);
            used[i] = usedHeapBytes(jcmd(pid, "GC.heap_info", timeoutSeconds), "consortd-d" + (i + 1));
        }
        return used;
    }

    /** The heap's {@code used} figure in bytes from {@code jcmd GC.heap_info} output (its first heap line). */
    static long usedHeapBytes(String heapInfo, String who) {
        Matcher m = HEAP_USED.matcher(heapInfo);
        if (!m.find()) {
            throw new IllegalStateException("no 'used NK' in jcmd GC.heap_info of " + who + ": " + heapInfo);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");

    private static String jcmd(long pid, String command, long timeoutSeconds) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", Long.toString(pid), command)
                .redirectErrorStream(true).start();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("jcmd " + pid + " " + command + " took over " + timeoutSeconds + " s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + pid + " " + command + " exited " + p.exitValue() + ": "
                    + new String(out, java.nio.charset.StandardCharsets.UTF_8));
        }
        return new String(out, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        daemons.forEach(MemberProcess::terminate);
    }
}

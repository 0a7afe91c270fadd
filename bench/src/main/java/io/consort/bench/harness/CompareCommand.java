package io.consort.bench.harness;

import io.consort.bench.BenchMain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The side-by-side run: for each round, each message size and each offered rate, it runs every
 * chosen system once, one after the other, each as separate processes on loopback, and prints
 * their figures and ratios pair by pair, then the medians over the rounds.
 *
 * <ul>
 *   <li>{@code jgroups-seq}, {@code jgroups-noseq}: three {@link JGroupsMember} processes, member 0 sends.</li>
 *   <li>{@code consort-embedded}: three {@link ConsortMember} processes that each host their daemon of a
 *       three-daemon ring and attach their session in-process (no TCP); member 0 sends, all receive.</li>
 *   <li>{@code consort-safe}: the same at service level SAFE (run next to {@code consort}, which uses
 *       {@code --level}, in the same round).</li>
 *   <li>{@code consort-sealed}: {@code consort} with the daemon traffic sealed (AES-256-GCM under a fresh
 *       cluster key, network.clusterKey); run next to {@code consort} for the sealed-against-plain ratio.</li>
 *   <li>With {@code --senders N} (N > 1) every system has N members that all send and all receive:
 *       JGroups members 0..N-1; for Consort one member client per daemon (round robin), and no
 *       separate sender. Series get the suffix {@code -Ns}; FIFO per sender is checked everywhere,
 *       the digest (total order) everywhere but JGroups without SEQUENCER.</li>
 *   <li>{@code consort}: {@code --daemons} consortd processes ({@link Consortds}), one sending client
 *       process on the first and one receiving client process on each other daemon ({@link ConsortMember});
 *       with one daemon, the sender and two receivers all use it, and results are labelled
 *       {@code consort-1d} so a single-daemon figure is never read as a ring's.</li>
 *   <li>Scale ({@code --groups G}, {@code --idle-sessions S}): before a consort run's timed part, one
 *       {@link ConsortLoad} process per daemon opens S idle sessions there and joins its share of G-1 idle
 *       groups; the daemons' used heap after a full GC, before and after, gives the heap per session and
 *       per group ({@code SCALE} line, {@code --scale-results}). Series are suffixed {@code -g<G>-s<S>}.</li>
 * </ul>
 *
 * Every process is bounded by {@code --timeout-s}; a run that loses, reorders or disagrees on the
 * digest is reported as failed, never as a figure.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Run Consort and JGroups side by side on loopback and print both results and their ratio.")
public final class CompareCommand implements Callable<Integer> {
    @Option(names = "--systems", split = ",", defaultValue = "consort,jgroups-seq,jgroups-noseq")
    List<String> systems;

    @Option(names = "--rounds", defaultValue = "3")
    int rounds;

    @Option(names = "--warmup", defaultValue = "200000", description = "Messages before measuring (the JIT needs them).")
    long warmup;

    @Option(names = "--count", defaultValue = "1000000", description = "Measured messages per run.")
    long count;

    @Option(names = "--sizes", split = ",", defaultValue = "1000", description = "Payload sizes in bytes.")
    List<Integer> sizes;

    @Option(names = "--rates", split = ",", defaultValue = "0",
            description = "Offered msgs/s; 0 is flat out (throughput), others are the latency mode.")
    List<Long> rates;

    @Option(names = "--level", defaultValue = "AGREED", description = "Consort service level.")
    String level;

    @Option(names = "--senders", defaultValue = "1", description = "1: one sender, the others receive. "
            + "N > 1: N members that all send and receive (issue 5's all-daemons-sending figure).")
    int senders;

    @Option(names = "--daemons", defaultValue = "1", description = "consortd processes: 1, or 3 (a ring on loopback).")
    int daemons;

    @Option(names = "--mtu", defaultValue = "65535", description = "network.mtu of a consortd network (datagram size).")
    int mtu;

    @Option(names = "--token-loss-ms", defaultValue = "0", description = "consortd's timeouts.tokenLoss in ms; "
            + "0 keeps consortd's default (200). On a starved machine a daemon can be off the CPU for longer than "
            + "that, and the ring re-forms mid-run.")
    int tokenLossMillis;

    @Option(names = "--consortd-set", split = ",", description = "More consortd configuration, section.key=value, "
            + "e.g. timeouts.rotationMinMicros=0,limits.sendWindowMessages=1024.")
    List<String> consortdSettings = List.of();

    @Option(names = "--consortd-jar", defaultValue = "transport-udp/target/consortd.jar")
    Path consortdJar;

    @Option(names = "--slow-consumer-policy", defaultValue = "hold-back-senders",
            description = "consortd's limits.slowConsumerPolicy. hold-back-senders (default here) is what JGroups' "
                    + "flow control does; with disconnect, a flat-out run can lose a receiver as SLOW_CONSUMER.")
    String slowConsumerPolicy;

    @Option(names = "--member-jvm", split = " ", defaultValue = "-Xms512m -Xmx1g",
            description = "JVM options for every member and daemon process; {name} in an option becomes the process's "
                    + "label and start time, e.g. -XX:StartFlightRecording=filename=/tmp/jfr/{name}.jfr,settings=profile")
    List<String> memberJvm;

    @Option(names = "--results", defaultValue = "docs/bench/results.csv", description = "CSV to append every run to.")
    Path results;

    @Option(names = "--timeout-s", defaultValue = "180", description = "Bound on each run.")
    long timeoutSeconds;

    @Option(names = "--groups", defaultValue = "1", description = "Scale (issue 5, item 4): groups in the ring "
            + "during a consort run, the measured one included; the other G-1 (idle-0 ..) are joined, round robin "
            + "over the daemons, by one consort-load process per daemon before the timed run.")
    long groups;

    @Option(names = "--idle-sessions", defaultValue = "0", description = "Scale: idle sessions per daemon, opened by "
            + "the consort-load processes (they hold the idle groups; with 0 and G > 1, one session per daemon does). "
            + "limits.maxSessions is raised to fit.")
    int idleSessions;

    @Option(names = "--groups-per-holder", defaultValue = "1000", description = "With --idle-sessions 0, the idle "
            + "groups are held by ceil(groups on the daemon / this) sessions per daemon (with one session per daemon "
            + "holding 333 333 groups, joins stalled at 100 000: docs/BENCHMARKS.md, Scale).")
    long groupsPerHolder;

    @Option(names = "--load-timeout-s", defaultValue = "300", description = "Bound on setting up the idle load.")
    long loadTimeoutSeconds;

    @Option(names = "--join-window", defaultValue = "4096", description = "Joins awaiting acknowledgement per "
            + "consort-load process.")
    int joinWindow;

    @Option(names = "--scale-results", defaultValue = "docs/bench/scale.csv",
            description = "CSV to append every scale run's load set-up and heap figures to.")
    Path scaleResults;

    @Option(names = "--settle-load", defaultValue = "0", description = "Before each run, wait until the 1-minute load "
            + "average is below this (0: do not wait), at most --settle-max-s: figures of record start on a quiet machine.")
    double settleLoad;

    @Option(names = "--settle-max-s", defaultValue = "150", description = "The longest --settle-load waits per run.")
    long settleMaxSeconds;

    @Option(names = "--verbose", description = "Echo every child process's output.")
    boolean verbose;

    private final CpuSampler cpu = CpuSampler.start();

    @Override
    public Integer call() throws Exception {
        List<RunResult> all = new ArrayList<>();
        // A harness stopped by a signal takes its daemons and members with it.
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> ProcessHandle.current().children().forEach(ProcessHandle::destroyForcibly), "kill-children"));
        System.out.printf(Locale.ROOT, "machine: nproc=%d, %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        for (int round = 1; round <= rounds; round++) {
            for (int size : sizes) {
                for (long rate : rates) {
                    Map<String, RunResult> pair = new LinkedHashMap<>();
                    for (String system : systems) {
                        settle();
                        double load = load();
                        RunResult r = runOne(system, size, rate, round);
                        record(r, load);
                        pair.put(system, r);
                        all.add(r);
                        System.out.println(row(r) + String.format(Locale.ROOT, "  load=%.1f", load));
                    }
                    printRatios(pair);
                }
            }
        }
        System.out.println();
        System.out.println("medians over " + rounds + " round(s), failed runs excluded:");
        Map<String, List<RunResult>> bySeries = new LinkedHashMap<>();
        for (RunResult r : all) {
            bySeries.computeIfAbsent(r.label() + "|" + r.sizeBytes() + "|" + r.rate(), k -> new ArrayList<>()).add(r);
        }
        Map<String, RunResult> medians = new LinkedHashMap<>();
        for (Map.Entry<String, List<RunResult>> e : bySeries.entrySet()) {
            RunResult m = Medians.of(e.getValue());
            if (m != null) {
                medians.put(e.getKey(), m);
                System.out.println(row(m) + "  runs=" + e.getValue().stream().filter(RunResult::ok).count());
            }
        }
        boolean allOk = all.stream().allMatch(RunResult::ok);
        return allOk ? 0 : 1;
    }

    private static String row(RunResult r) {
        return String.format(Locale.ROOT,
                "%-14s size=%-6d rate=%-7s round=%d  %9.0f msgs/s %8.2f MB/s  p50=%8.0fus p99=%8.0fus p99.9=%8.0fus"
                        + " max=%8.0fus cpu=%6.1fus/msg %s",
                r.label(), r.sizeBytes(), r.rate() == 0 ? "max" : Long.toString(r.rate()), r.round(),
                r.msgsPerSecond(), r.mbPerSecond(), r.p50Micros(), r.p99Micros(), r.p999Micros(), r.maxMicros(),
                r.cpuMicrosPerMessage(), r.ok() ? "ok" : "FAILED: " + r.problem());
    }

    private static void printRatios(Map<String, RunResult> pair) {
        for (Map.Entry<String, RunResult> ce : pair.entrySet()) {
            RunResult c = ce.getValue();
            if (!ce.getKey().startsWith("consort") || !c.ok()) {
                continue;
            }
            for (Map.Entry<String, RunResult> pe : pair.entrySet()) {
                RunResult p = pe.getValue();
                if (pe.getKey().startsWith("jgroups") && p.ok() && p.msgsPerSecond() > 0) {
                    System.out.printf(Locale.ROOT, "  ratio %s / %s: throughput %.2fx, p99 %.2fx%n", c.label(),
                            p.label(), c.msgsPerSecond() / p.msgsPerSecond(),
                            p.p99Micros() > 0 ? c.p99Micros() / p.p99Micros() : 0);
                }
            }
        }
    }

    private void record(RunResult r, double load) throws IOException {
        Path parent = results.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!Files.exists(results)) {
            Files.writeString(results, RunResult.CSV_HEADER + "\n", StandardCharsets.UTF_8);
        }
        Files.writeString(results, r.csv(load) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** Waits, bounded, for the previous run's load to decay below {@code --settle-load}. */
    private void settle() throws InterruptedException {
        if (settleLoad <= 0) {
            return;
        }
        long deadline = System.nanoTime() + settleMaxSeconds * 1_000_000_000L;
        while (load() >= settleLoad && System.nanoTime() < deadline) {
            Thread.sleep(1_000); // a wall-clock wait for the kernel's load average, not a wait for a result
        }
    }

    private static double load() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private RunResult runOne(String system, int size, long rate, int round) {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        int d = system.startsWith("consort") && !system.equals("consort-embedded") ? daemons : 3;
        try {
            return switch (system) {
                case "consort" -> runConsort(series(system), level, size, rate, round, false, deadline);
                case "consort-safe" -> runConsort(series(system), "SAFE", size, rate, round, false, deadline);
                case "consort-sealed" -> runConsort(series(system), level, size, rate, round, true, deadline);
                case "consort-embedded" -> runEmbedded(series(system), size, rate, round, deadline);
                case "jgroups-seq" -> runJGroups(true, size, rate, round, deadline);
                case "jgroups-noseq" -> runJGroups(false, size, rate, round, deadline);
                default -> throw new IllegalArgumentException("unknown system " + system);
            };
        } catch (Exception e) {
            return RunResult.failed(series(system), d, size, rate, round,
                    String.valueOf(e.getMessage()).replace('\n', ' '));
        }
    }

    /** The run's CPU per message: every child process's CPU over the receivers' measured window, per message. */
    private RunResult withCpu(RunResult r, List<String> lines) {
        long[] w = RunResult.window(lines);
        if (w == null || count <= 0) {
            return r;
        }
        long delivered = count * Math.max(1, senders); // measured messages at one receiver: every sender's count
        System.out.println("  cpu us/msg by process: " + cpu.breakdown(w[0], w[1], delivered));
        return r.withCpu(cpu.cpuSecondsBetween(w[0], w[1]) * 1e6 / delivered);
    }

    private List<String> memberCommand(String label, String subcommand, List<String> args) {
        return memberCommand(label, subcommand, args, List.of());
    }

    private List<String> memberCommand(String label, String subcommand, List<String> args, List<String> extraJvm) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmOptions.forProcess(memberJvm, label));
        cmd.addAll(extraJvm);
        cmd.add("-Djava.net.preferIPv4Stack=true");
        cmd.add("-cp");
        cmd.add(benchJar());
        cmd.add(BenchMain.class.getName());
        cmd.add(subcommand);
        cmd.addAll(args);
        return cmd;
    }

    static String benchJar() {
        try {
            return Path.of(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (Exception e) {
            return System.getProperty("java.class.path");
        }
    }

    /**
     * The series name of a system's runs: with several senders, suffixed {@code -Ns}; a Consort run with an
     * idle load, suffixed {@code -g<groups>-s<idle sessions per daemon>}.
     */
    private String series(String system) {
        String s = senders > 1 ? system + "-" + senders + "s" : system;
        if (system.startsWith("consort") && (groups > 1 || idleSessions > 0)) {
            s += "-g" + groups + "-s" + idleSessions;
        }
        return s;
    }

    private boolean scaled() {
        return groups > 1 || idleSessions > 0;
    }

    /**
     * Starts one consort-load process per daemon and waits for all of them to be READY; around it, reads the
     * daemons' used heap after a full GC, and prints and records the difference per idle session and per group.
     */
    private List<MemberProcess> startLoad(Consortds ds, String series, int round) throws Exception {
        List<MemberProcess> load = new ArrayList<>();
        if (!scaled()) {
            return load;
        }
        long loadDeadline = System.nanoTime() + loadTimeoutSeconds * 1_000_000_000L;
        long[] before = ds.usedHeapAfterFullGc(60);
        int[] ports = ds.clientPorts();
        long idleGroups = Math.max(0, groups - 1);
        long t0 = System.nanoTime();
        try {
            for (int d = 0; d < daemons; d++) {
                long mine = idleGroups > d ? (idleGroups - d + daemons - 1) / daemons : 0;
                int sessions = idleSessions > 0 ? idleSessions : (int) ((mine + groupsPerHolder - 1) / groupsPerHolder);
                if (sessions == 0) {
                    continue;
                }
                String label = "consort-load-d" + (d + 1);
                load.add(new MemberProcess(label, memberCommand(label, "consort-load", List.of("--port",
                        Integer.toString(ports[d]), "--index", Integer.toString(d), "--sessions", Integer.toString(sessions),
                        "--first-group", Integer.toString(d), "--group-step", Integer.toString(daemons), "--group-count",
                        Long.toString(mine), "--join-window", Integer.toString(joinWindow), "--timeout-s",
                        Long.toString(loadTimeoutSeconds)),
                        // The client opens each session through Reactor Netty's shared TcpClient pool, which by
                        // default allows max(2 x cores, 16) connections to one address and parks the rest.
                        List.of("-Dreactor.netty.pool.maxConnections=" + (sessions + 16))), verbose));
            }
            List<String> ready = new ArrayList<>();
            for (MemberProcess p : load) {
                ready.add(p.await(l -> l.startsWith("READY"), loadDeadline, "READY (idle load)"));
            }
            double setupSeconds = (System.nanoTime() - t0) / 1e9;
            long[] after = ds.usedHeapAfterFullGc(60);
            long delta = 0;
            StringBuilder perDaemon = new StringBuilder();
            for (int d = 0; d < daemons; d++) {
                delta += after[d] - before[d];
                perDaemon.append(d == 0 ? "" : "/").append((after[d] - before[d]) / 1024);
            }
            long sessionsTotal = (long) idleSessions * daemons;
            double perSession = idleSessions > 0 ? (double) delta / sessionsTotal : Double.NaN;
            double perGroup = idleGroups > 0 ? (double) delta / idleGroups : Double.NaN;
            double perGroupPerDaemon = perGroup / daemons;
            System.out.printf(Locale.ROOT, "SCALE %s round=%d groups=%d idle_sessions_per_daemon=%d setup=%.1fs "
                    + "heap_before_kib=%s heap_after_kib=%s heap_delta_kib_per_daemon=%s heap_delta_total_kib=%d "
                    + "bytes_per_idle_session=%.0f bytes_per_group=%.0f bytes_per_group_per_daemon=%.0f load=%s%n", series,
                    round, groups, idleSessions, setupSeconds, kib(before), kib(after), perDaemon, delta / 1024,
                    perSession, perGroup, perGroupPerDaemon, ready);
            recordScale(String.format(Locale.ROOT, "%s,%d,%d,%d,%d,%.1f,%s,%s,%s,%d,%.0f,%.0f,%.0f,%.1f",
                    series, daemons, round, groups, idleSessions, setupSeconds, kib(before), kib(after), perDaemon,
                    delta / 1024, perSession, perGroup, perGroupPerDaemon, load()));
            return load;
        } catch (Exception e) {
            load.forEach(MemberProcess::destroy);
            throw e;
        }
    }

    private static String kib(long[] bytes) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < bytes.length; i++) {
            b.append(i == 0 ? "" : "/").append(bytes[i] / 1024);
        }
        return b.toString();
    }

    private void recordScale(String row) throws IOException {
        Path parent = scaleResults.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!Files.exists(scaleResults)) {
            Files.writeString(scaleResults, "series,daemons,round,groups,idle_sessions_per_daemon,setup_s,"
                    + "heap_before_kib,heap_after_kib,heap_delta_kib_per_daemon,heap_delta_total_kib,"
                    + "bytes_per_idle_session,bytes_per_group,bytes_per_group_per_daemon,load1\n", StandardCharsets.UTF_8);
        }
        Files.writeString(scaleResults, row + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    private List<String> common(int size, long rate) {
        return new ArrayList<>(Arrays.asList("--warmup", Long.toString(warmup), "--count", Long.toString(count),
                "--size", Integer.toString(size), "--rate", Long.toString(rate), "--timeout-s",
                Long.toString(timeoutSeconds), "--senders", Integer.toString(senders)));
    }

    private RunResult runJGroups(boolean sequencer, int size, long rate, int round, long deadline) throws Exception {
        String system = sequencer ? "jgroups-seq" : "jgroups-noseq";
        int basePort = 47000 + 10 * ThreadLocalRandom.current().nextInt(200);
        String cluster = "bench-" + Long.toHexString(System.nanoTime());
        List<MemberProcess> ps = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                List<String> args = common(size, rate);
                args.addAll(List.of("--index", Integer.toString(i), "--base-port", Integer.toString(basePort),
                        "--cluster", cluster));
                if (sequencer) {
                    args.add("--sequencer");
                }
                ps.add(new MemberProcess(system + "-m" + i, memberCommand(system + "-m" + i, "jgroups-member", args), verbose));
            }
            List<String> lines = new ArrayList<>();
            for (MemberProcess p : ps) {
                lines.add(p.await(l -> l.startsWith("RESULT "), deadline, "RESULT"));
            }
            return withCpu(RunResult.of(series(system), 3, size, rate, round, lines, sequencer || senders == 1), lines);
        } finally {
            ps.forEach(MemberProcess::close);
        }
    }

    /**
     * {@code consort-embedded}: three member processes, each hosting its own daemon of one three-daemon ring
     * (as consortd would run it, from one configuration) with its session attached in-process, without TCP.
     * Member 0 sends and receives (members 0..senders-1 with {@code --senders}); all three receive. The
     * topology a JGroups user has, one process per member.
     */
    private RunResult runEmbedded(String series, int size, long rate, int round, long deadline) throws Exception {
        java.nio.file.Path config = Files.createTempFile("consort-embedded", ".yaml");
        config.toFile().deleteOnExit();
        Files.writeString(config, Consortds.config(3, slowConsumerPolicy, mtu, tokenLossMillis, 0, consortdSettings));
        List<MemberProcess> ps = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                List<String> args = common(size, rate);
                args.addAll(List.of("--index", Integer.toString(i), "--level", level, "--system", series,
                        "--expect-members", "3", "--embedded-daemon",
                        "--config " + config + " --name d" + (i + 1) + " --host 127.0.0.1 --port 0"));
                ps.add(new MemberProcess("consort-e" + i, memberCommand("consort-e" + i, "consort-member", args), verbose));
            }
            List<String> lines = new ArrayList<>();
            for (MemberProcess p : ps) {
                lines.add(p.await(l -> l.startsWith("RESULT "), deadline, "RESULT"));
            }
            return withCpu(RunResult.of(series, 3, size, rate, round, lines), lines);
        } finally {
            ps.forEach(MemberProcess::close);
        }
    }

    private RunResult runConsort(String series, String level, int size, long rate, int round, boolean sealed,
            long deadline) throws Exception {
        List<MemberProcess> load = new ArrayList<>();
        int maxSessions = idleSessions > 0 ? idleSessions + 64 : 0;
        try (Consortds ds = Consortds.start(daemons, consortdJar, memberJvm, slowConsumerPolicy, mtu, tokenLossMillis,
                maxSessions, consortdSettings, sealed, deadline, verbose)) {
            List<MemberProcess> clients = new ArrayList<>();
            try {
                load = startLoad(ds, series, round);
                if (scaled()) {
                    // The timed run gets its whole bound after the load is in place.
                    deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
                }
                int[] ports = ds.clientPorts();
                List<String> lines = new ArrayList<>();
                if (senders > 1) {
                    // Members that send and receive, one per daemon in turn; each waits for the view of all.
                    for (int i = 0; i < senders; i++) {
                        List<String> args = common(size, rate);
                        args.addAll(List.of("--index", Integer.toString(i), "--port", Integer.toString(ports[i % daemons]),
                                "--level", level, "--system", series, "--expect-members", Integer.toString(senders)));
                        clients.add(new MemberProcess("consort-m" + i, memberCommand("consort-m" + i, "consort-member",
                                args), verbose));
                    }
                    for (MemberProcess p : clients) {
                        lines.add(p.await(l -> l.startsWith("RESULT "), deadline, "RESULT"));
                    }
                    return withCpu(RunResult.of(series, daemons, size, rate, round, lines), lines);
                }
                // One receiving client per daemon other than the sender's; with one daemon, two receivers on it.
                int receivers = Math.max(2, daemons - 1);
                for (int i = 1; i <= receivers; i++) {
                    int port = ports[daemons == 1 ? 0 : i];
                    List<String> args = common(size, rate);
                    args.addAll(List.of("--index", Integer.toString(i), "--port", Integer.toString(port), "--level",
                            level, "--system", series, "--expect-members", Integer.toString(receivers)));
                    clients.add(new MemberProcess("consort-r" + i, memberCommand("consort-r" + i, "consort-member", args), verbose));
                }
                for (MemberProcess p : clients) {
                    p.await(l -> l.startsWith("READY"), deadline, "READY");
                }
                List<String> args = common(size, rate);
                args.addAll(List.of("--index", "0", "--port", Integer.toString(ports[0]), "--level", level,
                        "--expect-members", Integer.toString(receivers)));
                clients.add(new MemberProcess("consort-s", memberCommand("consort-s", "consort-member", args), verbose));
                for (MemberProcess p : clients.subList(0, receivers)) {
                    lines.add(p.await(l -> l.startsWith("RESULT "), deadline, "RESULT"));
                }
                return withCpu(RunResult.of(series, daemons, size, rate, round, lines), lines);
            } finally {
                // Clients first, so they leave cleanly before their daemons stop.
                clients.forEach(MemberProcess::close);
            }
        } finally {
            // The idle load last and without leaving: its memberships die with the daemons.
            load.forEach(MemberProcess::destroy);
        }
    }
}

package io.consort.transport.udp;

import io.consort.core.ServiceLevel;
import io.consort.reactive.GroupView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A nemesis run over real daemons: consortd processes in network namespaces ({@link NetnsNetwork}),
 * recording clients on each that send at every service level (to one group, to two at once, and to
 * groups they are not in) and join and leave groups, while random, overlapping faults drawn from a
 * seed hit the daemons and the network: kill -9 and restart, SIGSTOP and SIGCONT (0.1 to 5 s),
 * partitions into random halves, a bridge node between two sides that cannot hear each other,
 * one-way link cuts, loss up to 30 %, duplication, delay and reordering ({@link LinkFaults}), and
 * client disconnects. Then every fault is undone, the run must converge (every live client in one
 * view of a common group, a last message from each reaching every member: SPEC invariant 9), and
 * the simulator's {@link io.consort.core.sim.RecordedLogs InvariantChecker} judges every client's
 * log (invariants 1 to 8, and the quiescence rule).
 *
 * <p>Each client's log is in the order that client saw things; the checker compares logs only
 * through message ids and view ids, never through clocks, so the processes' clocks do not matter.
 * The seed fixes which faults come in which order and for how long, not the exact interleaving with
 * the daemons' own timing: a failing seed is a lead, not an exact replay.
 *
 * <pre>{@code
 * try (NetnsNetwork net = new NetnsNetwork(5)) {
 *     Nemesis.Report r = new Nemesis(net, dir, 42, Duration.ofMinutes(2)).run();
 *     assertThat(r.violations()).isEmpty();
 * }
 * }</pre>
 */
final class Nemesis {
    private static final String[] GROUPS = {"g0", "g1", "g2"};
    private static final ServiceLevel[] LEVELS = ServiceLevel.values();
    private static final int MAX_DOWN = 2;

    enum State { UP, DOWN, PAUSED }

    /** What a run did and found. */
    record Report(long seed, Duration faultTime, Duration wall, Map<String, Integer> faults, long messages,
            long deliveries, int sessions, String linkMethod, List<String> violations) {
        String summary() {
            return String.format("nemesis seed %d: %d s of faults (%d s in all), faults %s (link faults by %s), "
                    + "%d messages sent, %d deliveries checked over %d sessions, %d violation(s)%s", seed,
                    faultTime.toSeconds(), wall.toSeconds(), faults, linkMethod, messages, deliveries, sessions,
                    violations.size(), violations.isEmpty() ? "" : ":\n  " + String.join("\n  ", violations));
        }
    }

    private final NetnsNetwork net;
    private final Path dir;
    private final long seed;
    private final Duration duration;
    private final SplittableRandom rnd;
    private final int hosts;
    private final ProcessCluster cluster;
    private final LinkFaults links;
    private final State[] state;
    private final Set<Integer> impaired = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> applied = new TreeMap<>();
    private final List<Workload> workloads = new CopyOnWriteArrayList<>();
    private final List<Undo> pending = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, daemonThreads("nemesis-undo"));
    private final ExecutorService actions = Executors.newCachedThreadPool(daemonThreads("nemesis-action"));
    private final AtomicInteger clientNames = new AtomicInteger();

    Nemesis(NetnsNetwork net, Path dir, long seed, Duration duration) throws Exception {
        this.net = net;
        this.dir = dir;
        this.seed = seed;
        this.duration = duration;
        this.rnd = new SplittableRandom(seed);
        this.hosts = net.hosts().size();
        Path keys = dir.resolve("cluster.key");
        Files.writeString(keys, "1 " + Base64.getEncoder().encodeToString(PacketSealerTest.key(5)) + " send\n");
        // The default timeouts: the nemesis runs what users run.
        this.cluster = new ProcessCluster(dir, net.daemonAddresses(), "  clusterKey: " + keys + "\n", "1500",
                net::exec, net::daemonArgs, List.of("-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        this.links = new LinkFaults(net);
        this.state = new State[hosts + 1];
    }

    ProcessCluster cluster() {
        return cluster;
    }

    /** Starts the daemons and clients, runs the faults for the duration, converges, checks. */
    Report run() throws Exception {
        long t0 = System.nanoTime();
        int[] ids = net.hosts().stream().mapToInt(Integer::intValue).toArray();
        cluster.start(ids);
        for (int d : ids) {
            state[d] = State.UP;
            addClients(d, 2);
        }
        long faultStart = System.nanoTime();
        long end = faultStart + duration.toNanos();
        try {
            while (System.nanoTime() < end && problems.isEmpty()) {
                // The pace of the faults, not a wait for a result.
                Thread.sleep(150 + rnd.nextInt(1200));
                nextFault();
            }
        } finally {
            Duration faultTime = Duration.ofNanos(System.nanoTime() - faultStart);
            undoEverything();
            converge();
            List<String> violations = new ArrayList<>(problems);
            violations.addAll(cluster.logs.violations());
            violations.addAll(cluster.logs.quiescenceViolations());
            Map<String, Integer> faults = new TreeMap<>();
            applied.forEach((k, v) -> faults.put(k, v.get()));
            Report r = new Report(seed, faultTime, Duration.ofNanos(System.nanoTime() - t0), faults,
                    cluster.logs.messages(), cluster.logs.deliveries(), cluster.logs.sessions(),
                    links.method() + (links.effect().isEmpty() ? "" : ": " + links.effect()),
                    violations);
            lastReport = r;
        }
        return lastReport;
    }

    private Report lastReport;

    /** Stops the clients and daemons and the nemesis's threads; writes the logs when asked. */
    void close(Path keepLogsIn) {
        for (Workload w : workloads) {
            w.stop();
        }
        timer.shutdownNow();
        actions.shutdownNow();
        if (keepLogsIn != null) {
            try {
                Files.createDirectories(keepLogsIn);
                cluster.logs.write(keepLogsIn.resolve("client-logs.txt"));
                for (int d : net.hosts()) {
                    if (Files.exists(cluster.logOf(d))) {
                        Files.copy(cluster.logOf(d), keepLogsIn.resolve("d" + d + ".log"),
                                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            } catch (IOException e) {
                System.out.println("nemesis: could not keep the logs: " + e);
            }
        }
        for (int d : net.hosts()) {
            Process p = cluster.processes[d];
            if (p != null && p.isAlive() && state[d] == State.PAUSED) {
                cluster.resume(d); // a stopped JVM ignores SIGTERM until it runs again
            }
        }
        cluster.close();
    }

    // faults ---------------------------------------------------------------------------------------

    private void nextFault() {
        int kind = rnd.nextInt(100);
        if (kind < 14) {
            kill();
        } else if (kind < 30) {
            pause();
        } else if (kind < 42) {
            halves();
        } else if (kind < 52) {
            bridge();
        } else if (kind < 62) {
            oneWay();
        } else if (kind < 85) {
            impair();
        } else {
            disconnectClient();
        }
    }

    private synchronized int pickUp() {
        long down = java.util.Arrays.stream(state, 1, hosts + 1).filter(s -> s != State.UP).count();
        if (down >= MAX_DOWN) {
            return -1;
        }
        List<Integer> up = new ArrayList<>();
        for (int d = 1; d <= hosts; d++) {
            if (state[d] == State.UP) {
                up.add(d);
            }
        }
        return up.isEmpty() ? -1 : up.get(rnd.nextInt(up.size()));
    }

    private void kill() {
        int d = pickUp();
        if (d < 0) {
            return;
        }
        synchronized (this) {
            state[d] = State.DOWN;
        }
        count("kill -9");
        for (Workload w : workloads) {
            if (w.client.daemon == d) {
                w.stop.set(true);
            }
        }
        try {
            cluster.kill(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        later(500 + rnd.nextInt(3500), "restart d" + d, () -> restart(d));
    }

    private void restart(int d) {
        try {
            cluster.start(d);
            addClients(d, 2);
            synchronized (this) {
                state[d] = State.UP;
            }
        } catch (Exception e) {
            problems.add("d" + d + " did not restart: " + e);
        }
    }

    private void pause() {
        int d = pickUp();
        if (d < 0) {
            return;
        }
        synchronized (this) {
            state[d] = State.PAUSED;
        }
        count("SIGSTOP");
        cluster.pause(d);
        later(100 + rnd.nextInt(4900), "SIGCONT d" + d, () -> {
            cluster.resume(d);
            synchronized (this) {
                state[d] = State.UP;
            }
        });
    }

    private List<Integer> shuffledHosts() {
        List<Integer> h = new ArrayList<>(net.hosts());
        for (int i = h.size() - 1; i > 0; i--) {
            java.util.Collections.swap(h, i, rnd.nextInt(i + 1));
        }
        return h;
    }

    private void halves() {
        List<Integer> h = shuffledHosts();
        int cut = 1 + rnd.nextInt(h.size() - 1);
        cut(h.subList(0, cut), h.subList(cut, h.size()), "partition halves");
    }

    private void bridge() {
        List<Integer> h = shuffledHosts();
        int bridge = h.remove(0);
        int cut = 1 + rnd.nextInt(h.size() - 1);
        cut(h.subList(0, cut), h.subList(cut, h.size()), "partition with bridge d" + bridge);
        count("bridge node");
    }

    private void cut(List<Integer> a, List<Integer> b, String what) {
        List<int[]> rules = new ArrayList<>();
        for (int x : a) {
            for (int y : b) {
                rules.add(new int[] {x, y});
                rules.add(new int[] {y, x});
            }
        }
        if (!what.startsWith("partition with bridge")) {
            count("partition");
        }
        cutLinks(rules, what + " " + a + " | " + b);
    }

    private void oneWay() {
        List<Integer> h = shuffledHosts();
        count("one-way cut");
        cutLinks(List.<int[]>of(new int[] {h.get(0), h.get(1)}), "one-way d" + h.get(0) + " -/-> d" + h.get(1));
    }

    /** Drops daemon UDP on each {from, to} link for 1 to 6 s. */
    private void cutLinks(List<int[]> rules, String what) {
        for (int[] r : rules) {
            net.dropFrom(r[0], r[1]);
        }
        later(1000 + rnd.nextInt(5000), "heal " + what, () -> {
            for (int[] r : rules) {
                net.undropFrom(r[0], r[1]);
            }
        });
    }

    private void impair() {
        int host = 1 + rnd.nextInt(hosts);
        if (!impaired.add(host)) {
            return;
        }
        int kind = rnd.nextInt(4);
        LinkFaults.Impairment imp = switch (kind) {
            case 0 -> new LinkFaults.Impairment(1 + rnd.nextInt(30), 0, 1000, 0);
            case 1 -> new LinkFaults.Impairment(0, 1 + rnd.nextInt(20), 1000, 0);
            case 2 -> new LinkFaults.Impairment(0, 0, 256 + rnd.nextInt(2000), 10 + rnd.nextInt(60));
            default -> new LinkFaults.Impairment(rnd.nextInt(15), rnd.nextInt(10), 256 + rnd.nextInt(2000),
                    rnd.nextInt(50));
        };
        count(switch (kind) {
            case 0 -> "loss";
            case 1 -> "duplication";
            case 2 -> "delay+reorder";
            default -> "mixed link faults";
        });
        links.apply(host, imp);
        later(1000 + rnd.nextInt(7000), "clear link faults of d" + host, () -> {
            links.clear(host);
            impaired.remove(host);
        });
    }

    private void disconnectClient() {
        List<Workload> live = workloads.stream().filter(w -> !w.stop.get() && state[w.client.daemon] == State.UP)
                .toList();
        if (live.isEmpty()) {
            return;
        }
        Workload w = live.get(rnd.nextInt(live.size()));
        int d = w.client.daemon;
        count("client disconnect");
        int delay = 200 + rnd.nextInt(1800);
        w.stop.set(true);
        actions.execute(() -> {
            w.stopAndJoin();
            try {
                w.client.session.close().block(Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                // its daemon went away meanwhile: the log ends as that made it end
            }
            w.client.log.closed();
        });
        later(delay, "reconnect a client of d" + d, () -> {
            synchronized (this) {
                if (state[d] != State.UP) {
                    return; // a restart brings new clients; a paused daemon gets them at the end if needed
                }
            }
            addClients(d, 1);
        });
    }

    private void count(String fault) {
        applied.computeIfAbsent(fault, k -> new AtomicInteger()).incrementAndGet();
    }

    /** Runs {@code action} after {@code millis}, or at the end of the run if that comes first. */
    private void later(int millis, String what, Runnable action) {
        Undo u = new Undo(what, action);
        pending.add(u);
        timer.schedule(() -> actions.execute(u::runOnce), millis, TimeUnit.MILLISECONDS);
    }

    private final class Undo {
        final String what;
        final Runnable action;
        final AtomicBoolean done = new AtomicBoolean();
        final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);

        Undo(String what, Runnable action) {
            this.what = what;
            this.action = action;
        }

        void runOnce() {
            if (done.compareAndSet(false, true)) {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    problems.add(what + " failed: " + e);
                } finally {
                    finished.countDown();
                }
            }
        }

        void await() throws InterruptedException {
            if (!finished.await(90, TimeUnit.SECONDS)) {
                problems.add(what + " did not finish within 90 s");
            }
        }
    }

    private void undoEverything() throws InterruptedException {
        for (Undo u : pending) {
            u.runOnce();
        }
        for (Undo u : pending) {
            u.await();
        }
        links.clearAll();
        net.heal();
        for (int d : net.hosts()) {
            if (state[d] != State.UP) {
                problems.add("d" + d + " is " + state[d] + " after every fault was undone");
            }
        }
    }

    // clients --------------------------------------------------------------------------------------

    private void addClients(int daemon, int n) {
        for (int i = 0; i < n; i++) {
            int k = clientNames.incrementAndGet();
            ProcessCluster.Client c;
            try {
                c = cluster.client(daemon, "n" + daemon + "x" + k);
            } catch (RuntimeException e) {
                synchronized (this) {
                    if (state[daemon] == State.UP) {
                        problems.add("a client could not connect to d" + daemon + ", which is up: " + e);
                    }
                }
                return; // killed meanwhile: its restart brings new clients
            }
            // Its own stream, from the seed and its number: the nemesis's stream is the nemesis thread's alone.
            Workload w = new Workload(c, new SplittableRandom(seed * 1_000_003L + k));
            workloads.add(w);
            w.start();
        }
    }

    /** One client's own traffic: sends at every level and joins and leaves, on its own thread. */
    private static final class Workload {
        final ProcessCluster.Client client;
        final SplittableRandom rnd;
        final AtomicBoolean stop = new AtomicBoolean();
        final Set<String> member = ConcurrentHashMap.newKeySet();
        private Thread thread;

        Workload(ProcessCluster.Client client, SplittableRandom rnd) {
            this.client = client;
            this.rnd = rnd;
        }

        void start() {
            thread = new Thread(this::loop, "nemesis-load-" + client.session.privateName());
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            try {
                join(GROUPS[0]);
                join(GROUPS[1 + rnd.nextInt(GROUPS.length - 1)]);
                while (!stop.get()) {
                    int r = rnd.nextInt(100);
                    if (r < 4) {
                        String g = GROUPS[rnd.nextInt(GROUPS.length)];
                        if (member.contains(g)) {
                            client.leave(g);
                            member.remove(g);
                        } else {
                            join(g);
                        }
                        continue;
                    }
                    List<String> to;
                    List<String> mine = new ArrayList<>(member);
                    if (r < 85 && !mine.isEmpty()) {
                        to = List.of(mine.get(rnd.nextInt(mine.size())));
                    } else if (r < 93) {
                        int a = rnd.nextInt(GROUPS.length);
                        int b = (a + 1 + rnd.nextInt(GROUPS.length - 1)) % GROUPS.length;
                        to = List.of(GROUPS[Math.min(a, b)], GROUPS[Math.max(a, b)]);
                    } else {
                        to = List.of(GROUPS[rnd.nextInt(GROUPS.length)]);
                    }
                    if (client.sendForId(to, LEVELS[rnd.nextInt(LEVELS.length)], 16 + rnd.nextInt(900)) < 0) {
                        return; // the daemon is gone: this client's part is over
                    }
                    Thread.sleep(10 + rnd.nextInt(40)); // the send rate of one client
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // join or leave on a daemon that died: this client's part is over
            }
        }

        void join(String g) {
            client.join(g);
            member.add(g);
        }

        void stop() {
            stop.set(true);
        }

        void stopAndJoin() {
            stop.set(true);
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // convergence (SPEC invariant 9) ---------------------------------------------------------------

    private void converge() throws InterruptedException {
        for (Workload w : workloads) {
            w.stopAndJoin();
        }
        actions.shutdown();
        actions.awaitTermination(60, TimeUnit.SECONDS);
        for (int d : net.hosts()) {
            if (state[d] == State.UP && cluster.clientsOf(d).stream().noneMatch(ProcessCluster.Client::alive)) {
                addClients(d, 1);
                workloads.get(workloads.size() - 1).stopAndJoin();
            }
        }
        List<Workload> live = workloads.stream().filter(w -> w.client.alive()).toList();
        Set<String> names = new HashSet<>();
        for (Workload w : live) {
            names.add(w.client.session.privateName());
            try {
                if (!w.member.contains(GROUPS[0])) {
                    w.join(GROUPS[0]);
                }
            } catch (RuntimeException e) {
                problems.add("LIVENESS: " + w.client.session.privateName() + " could not join " + GROUPS[0]
                        + " after the faults: " + e);
            }
        }
        // Every live client in one view of g0 with all of them: the daemons formed one configuration.
        if (!awaitUntil(Duration.ofSeconds(60), () -> live.stream().allMatch(w -> {
            GroupView v = w.client.lastView(GROUPS[0]);
            return v != null && new HashSet<>(v.members()).equals(names);
        }))) {
            StringBuilder sb = new StringBuilder("LIVENESS: no common view of " + GROUPS[0] + " with every live client "
                    + names + " within 60 s after the faults; last views:");
            for (Workload w : live) {
                GroupView v = w.client.lastView(GROUPS[0]);
                sb.append("\n    ").append(w.client.session.privateName()).append(": ")
                        .append(v == null ? "none" : v.id() + " " + v.members());
            }
            problems.add(sb.toString());
            return;
        }
        // A last AGREED message from each live client to each of its groups reaches every member.
        Map<Long, String> last = new TreeMap<>();
        for (Workload w : live) {
            for (String g : w.member) {
                long id = w.client.sendForId(g, ServiceLevel.AGREED, 32);
                if (id < 0) {
                    problems.add("LIVENESS: " + w.client.session.privateName() + " could not send to " + g);
                } else {
                    last.put(id, g);
                }
            }
        }
        boolean reached = awaitUntil(Duration.ofSeconds(30), () -> last.entrySet().stream().allMatch(e -> live.stream()
                .filter(w -> w.member.contains(e.getValue())).allMatch(w -> w.client.deliveredIds.contains(e.getKey()))));
        if (!reached) {
            List<String> missing = new ArrayList<>();
            last.forEach((id, g) -> live.stream().filter(w -> w.member.contains(g) && !w.client.deliveredIds.contains(id))
                    .forEach(w -> missing.add(w.client.session.privateName() + " misses " + id + " of " + g)));
            problems.add("LIVENESS: the last messages after the faults did not reach every member within 30 s: "
                    + missing.subList(0, Math.min(10, missing.size())));
        }
        // The quiescence rule needs the logs to stop growing: wait until nothing new came for 1 s.
        long lastSize = -1;
        long quietSince = System.nanoTime();
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < giveUp) {
            long size = cluster.logs.deliveries();
            if (size != lastSize) {
                lastSize = size;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(1)) {
                break;
            }
            Thread.sleep(100);
        }
    }

    private static boolean awaitUntil(Duration timeout, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}

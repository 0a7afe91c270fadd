package io.consort.transport.udp;

import io.consort.core.MessageEvent;
import io.consort.core.ServiceLevel;
import io.consort.core.TransitionalEvent;
import io.consort.core.ViewEvent;
import io.consort.core.sim.RecordedLogs;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.GroupView;
import io.consort.reactive.OutgoingMessage;
import io.consort.reactive.Session;
import io.consort.reactive.TransitionalSignal;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import reactor.core.Disposable;

/**
 * consortd processes of one daemon network (on loopback, or in network namespaces through
 * {@link NetnsNetwork}), and recording clients on them, for tests.
 */
final class ProcessCluster implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern SERVING = Pattern.compile("serving clients on ([0-9.]+):(\\d+)");
    private static final AtomicLong MESSAGE_IDS = new AtomicLong(1);

    final Path config;
    final Path dir;
    final Map<Integer, InetSocketAddress> addresses;
    final Process[] processes;
    final int[] clientPorts;
    final String[] clientHosts;
    private final IntFunction<List<String>> launcher;
    private final IntFunction<List<String>> daemonArgs;
    private final List<String> jvmArgs;
    final RecordedLogs logs = new RecordedLogs();
    final List<Client> clients = new CopyOnWriteArrayList<>();
    /** Daemons started from a consortd.jar other than this build's (another release's): by daemon. */
    final Map<Integer, Path> jars = new java.util.concurrent.ConcurrentHashMap<>();

    /** {@code daemons} daemons on loopback, each serving clients on a free port. */
    ProcessCluster(Path dir, int daemons, String extraYaml) throws Exception {
        this(dir, UdpDaemonNetworkTest.freeAddresses(daemons), extraYaml, "65535", id -> List.of(),
                id -> List.of("--port", "0"), List.of("-Xmx256m"));
    }

    /**
     * Daemons at {@code addresses} (daemon-to-daemon UDP), each started as
     * {@code launcher(id) + java jvmArgs -cp ... Consortd --config ... --name d<id> daemonArgs(id)}.
     */
    ProcessCluster(Path dir, Map<Integer, InetSocketAddress> addresses, String extraYaml, String mtu,
            IntFunction<List<String>> launcher, IntFunction<List<String>> daemonArgs, List<String> jvmArgs)
            throws Exception {
        this.dir = dir;
        this.addresses = addresses;
        this.launcher = launcher;
        this.daemonArgs = daemonArgs;
        this.jvmArgs = List.copyOf(jvmArgs);
        StringBuilder y = new StringBuilder("network:\n  mtu: " + mtu + "\n  daemons:\n");
        addresses.forEach((id, a) -> y.append("    - {name: d").append(id).append(", id: ").append(id)
                .append(", address: ").append(a.getAddress().getHostAddress()).append(", port: ")
                .append(a.getPort()).append("}\n"));
        y.append(extraYaml);
        this.config = dir.resolve("consort.yaml");
        Files.writeString(config, y.toString());
        int max = addresses.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        this.processes = new Process[max + 1];
        this.clientPorts = new int[max + 1];
        this.clientHosts = new String[max + 1];
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** A test JVM that is stopped (a surefire timeout, ^C) takes its daemons with it, hung ones included. */
    private final Thread killOnExit = new Thread(this::killAll, "consortd-kill-on-exit");

    private void killAll() {
        for (Process p : processes) {
            if (p != null && p.isAlive()) {
                NetnsNetwork.run("kill", "-CONT", String.valueOf(p.pid()));
                p.destroyForcibly();
            }
        }
    }

    /** Starts consortd d{@code id} and waits until it serves clients. */
    void start(int id) throws IOException {
        start(new int[] {id});
    }

    /** Starts these daemons together and waits until each serves clients. */
    void start(int... ids) throws IOException {
        Map<Integer, CompletableFuture<String>> serving = new java.util.TreeMap<>();
        for (int id : ids) {
            serving.put(id, spawn(id));
        }
        for (int id : ids) {
            Path log = dir.resolve("d" + id + ".log");
            String hostPort;
            try {
                hostPort = serving.get(id).get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("d" + id + " did not start; see " + log, e);
            }
            if (hostPort == null) {
                throw new IllegalStateException("d" + id + " exited; see " + log + ":\n" + Files.readString(log));
            }
            int colon = hostPort.lastIndexOf(':');
            clientHosts[id] = hostPort.substring(0, colon);
            clientPorts[id] = Integer.parseInt(hostPort.substring(colon + 1));
        }
    }

    /** The log file of d{@code id} (its stdout and stderr). */
    Path logOf(int id) {
        return dir.resolve("d" + id + ".log");
    }

    private CompletableFuture<String> spawn(int id) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = logOf(id);
        List<String> cmd = new ArrayList<>(launcher.apply(id));
        cmd.add(java);
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", jars.containsKey(id) ? jars.get(id).toString() : System.getProperty("java.class.path"),
                Consortd.class.getName(),
                "--config", config.toString(), "--name", "d" + id));
        cmd.addAll(daemonArgs.apply(id));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes[id] = p;
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> serving = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (var w = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                for (String line; (line = out.readLine()) != null;) {
                    w.write(line);
                    w.newLine();
                    w.flush();
                    Matcher m = SERVING.matcher(line);
                    if (m.find()) {
                        serving.complete(m.group(1) + ":" + m.group(2));
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
            serving.complete(null);
        }, "consortd-d" + id + "-output");
        t.setDaemon(true);
        t.start();
        return serving;
    }

    /**
     * SIGTERM: a graceful stop. Its clients' logs end as closed by the daemon (DISCONNECTED), not
     * crashed. Returns the exit code, or -1 if it did not exit within the timeout.
     */
    int terminate(int id) throws InterruptedException {
        for (Client c : clients) {
            if (c.daemon == id) {
                c.daemonStopped.set(true);
            }
        }
        processes[id].destroy();
        return processes[id].waitFor(30, TimeUnit.SECONDS) ? processes[id].exitValue() : -1;
    }

    /** kill -9. */
    void kill(int id) throws InterruptedException {
        for (Client c : clients) {
            if (c.daemon == id) {
                c.daemonKilled.set(true); // before the kill, so its clients' logs end as CRASHED
            }
        }
        processes[id].destroyForcibly();
        processes[id].waitFor(20, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the daemon hangs (its sockets stay open) until {@link #resume}. */
    void pause(int id) {
        signal(id, "STOP");
    }

    /** SIGCONT after {@link #pause}. */
    void resume(int id) {
        signal(id, "CONT");
    }

    private void signal(int id, String signal) {
        // ip netns exec execs the JVM, so the launched process's pid is consortd's own.
        NetnsNetwork.Result r = NetnsNetwork.run("kill", "-" + signal, String.valueOf(processes[id].pid()));
        if (!r.ok()) {
            throw new IllegalStateException("kill -" + signal + " d" + id + ": " + r.output());
        }
    }

    /** A client of daemon {@code id} that records everything it sees and sends. */
    Client client(int id, String user) {
        Client c = new Client(id, user);
        clients.add(c);
        return c;
    }

    /**
     * Connects {@code perDaemon} clients to each daemon in {@code daemons} (named c&lt;daemon&gt;&lt;k&gt;), has
     * them all join {@code group}, and returns them once every one sees a view with all of them.
     */
    List<Client> joinedClients(List<Integer> daemons, int perDaemon, String group, Duration timeout) {
        List<Client> all = new ArrayList<>();
        for (int d : daemons) {
            for (int k = 0; k < perDaemon; k++) {
                all.add(client(d, "c" + d + k));
            }
        }
        for (Client c : all) {
            c.join(group);
        }
        org.awaitility.Awaitility.await().atMost(timeout).until(() -> all.stream().allMatch(c -> c.lastView(group) != null
                && c.lastView(group).members().size() == all.size()));
        return all;
    }

    final class Client {
        final int daemon;
        final Session session;
        final RecordedLogs.Log log;
        final Disposable events;
        final List<GroupView> views = new CopyOnWriteArrayList<>();
        /** System.nanoTime() at which each of {@link #views} arrived, same index (written first). */
        final List<Long> viewNanos = new CopyOnWriteArrayList<>();
        final List<Object> signals = new CopyOnWriteArrayList<>();
        final List<Long> sentIds = new CopyOnWriteArrayList<>();
        final java.util.Set<Long> deliveredIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
        /** Delivered message ids in delivery order. */
        final List<Long> deliveredOrder = new CopyOnWriteArrayList<>();
        final AtomicBoolean daemonKilled = new AtomicBoolean();
        final AtomicBoolean daemonStopped = new AtomicBoolean();
        volatile Throwable error;
        private volatile Thread loader;
        private final AtomicBoolean loading = new AtomicBoolean();

        Client(int daemon, String user) {
            this.daemon = daemon;
            this.session = ConsortClient.create().host(clientHosts[daemon]).port(clientPorts[daemon]).name(user)
                    .connect().block(TIMEOUT);
            this.log = logs.log(session.privateName(), daemon);
            this.events = session.events().subscribe(e -> {
                if (e instanceof GroupMessage m) {
                    long id = ByteBuffer.wrap(m.payload()).getLong();
                    deliveredIds.add(id);
                    deliveredOrder.add(id);
                    // The log keeps the id only: the checker never reads payloads, and long nemesis runs log millions.
                    log.delivered(id, new MessageEvent(m.sequence(), m.sender(), m.groups(), m.level(), m.type(),
                            java.util.Arrays.copyOf(m.payload(), 8)));
                } else if (e instanceof GroupView v) {
                    viewNanos.add(System.nanoTime());
                    views.add(v);
                    signals.add(v);
                    log.view(new ViewEvent(v.group(), v.id(), v.cause(), v.members(), v.changed(), v.vsSet(),
                            v.selfLeave()));
                } else if (e instanceof TransitionalSignal t) {
                    signals.add(t);
                    log.transitional(new TransitionalEvent(t.group(), t.previous()));
                }
            }, err -> {
                error = err;
                if (daemonKilled.get()) {
                    log.crashed();
                } else if (daemonStopped.get()) {
                    log.closed();
                }
            });
        }

        void join(String group) {
            session.join(group).block(TIMEOUT);
        }

        void leave(String group) {
            session.leave(group).block(TIMEOUT);
        }

        /** Sends one message (recorded first); false if the daemon refused or is gone. */
        boolean send(String group, ServiceLevel level, int bytes) {
            return sendForId(group, level, bytes) >= 0;
        }

        /**
         * Sends one message (recorded first); its id, or -1 if the daemon refused or is gone.
         * Synchronized: a load thread and the test thread may both send from this client, and the
         * recorded send order must be the order the messages leave in, or the FIFO check would
         * judge a race of the test's own.
         */
        long sendForId(String group, ServiceLevel level, int bytes) {
            return sendForId(List.of(group), level, bytes);
        }

        /** As {@link #sendForId(String, ServiceLevel, int)}, one message to several groups. */
        synchronized long sendForId(List<String> groups, ServiceLevel level, int bytes) {
            long id = MESSAGE_IDS.getAndIncrement();
            byte[] payload = ByteBuffer.allocate(Math.max(8, bytes)).putLong(id).array();
            log.sent(id, groups, level, false);
            try {
                session.multicast(OutgoingMessage.to(groups).level(level).payload(payload)).block(TIMEOUT);
                sentIds.add(id);
                return id;
            } catch (RuntimeException e) {
                return -1;
            }
        }

        /** Sends to {@code group} every {@code periodMillis} on its own thread until {@link #stopLoad}. */
        void startLoad(String group, int periodMillis) {
            startLoad(group, periodMillis, Integer.MAX_VALUE);
        }

        /** As {@link #startLoad(String, int)}, but at most {@code maxMessages}. */
        void startLoad(String group, int periodMillis, int maxMessages) {
            loading.set(true);
            ServiceLevel[] levels = {ServiceLevel.AGREED, ServiceLevel.FIFO, ServiceLevel.SAFE, ServiceLevel.CAUSAL};
            Thread t = new Thread(() -> {
                int i = 0;
                while (loading.get() && i < maxMessages) {
                    if (!send(group, levels[i++ % levels.length], 64 + (i % 7) * 100)) {
                        return;
                    }
                    try {
                        Thread.sleep(periodMillis);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "load-" + session.privateName());
            t.setDaemon(true);
            loader = t;
            t.start();
        }

        /** Waits (at most {@code timeout}) for a bounded load to send its last message, then stops it. */
        void stopLoadWhenDone(Duration timeout) throws InterruptedException {
            Thread t = loader;
            if (t != null) {
                t.join(timeout.toMillis());
            }
            stopLoad();
        }

        void stopLoad() throws InterruptedException {
            loading.set(false);
            Thread t = loader;
            if (t != null) {
                t.join(TIMEOUT.toMillis());
            }
        }

        boolean alive() {
            return !daemonKilled.get() && !daemonStopped.get() && session.isOpen();
        }

        /** The latest view of {@code group}, or null. */
        GroupView lastView(String group) {
            for (int i = views.size() - 1; i >= 0; i--) {
                if (views.get(i).group().equals(group)) {
                    return views.get(i);
                }
            }
            return null;
        }
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
        for (Client c : clients) {
            try {
                c.stopLoad();
                if (c.alive()) {
                    c.session.close().block(Duration.ofSeconds(5));
                    c.log.closed();
                }
            } catch (Exception e) {
                // best effort
            }
            c.events.dispose();
        }
        for (Process p : processes) {
            if (p != null && p.isAlive()) {
                p.destroy();
            }
        }
        for (Process p : processes) {
            if (p != null) {
                try {
                    if (!p.waitFor(15, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                }
            }
        }
    }

    List<Client> clientsOf(int daemon) {
        List<Client> l = new ArrayList<>();
        for (Client c : clients) {
            if (c.daemon == daemon) {
                l.add(c);
            }
        }
        return l;
    }
}

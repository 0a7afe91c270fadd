package io.consort.transport.udp;

import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import io.consort.daemon.admin.AdminOptions;
import io.consort.daemon.admin.AdminServer;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * consortd, the Consort daemon. With no configuration it runs one daemon named "localhost" for
 * clients on 127.0.0.1:4803. With a configuration listing two or more daemons it is one daemon of
 * a daemon network (the Totem ring over UDP). SIGTERM (or Ctrl-C) is a graceful stop: every
 * client is told DAEMON_SHUTDOWN before its connection closes, the other daemons' members see
 * its sessions LEAVE, and the daemon then leaves the ring with an announcement, so the others
 * re-form it at once rather than after a token-loss timeout.
 */
@Command(name = "consortd", mixinStandardHelpOptions = true, version = "consortd 0.1.0", sortOptions = false,
        usageHelpWidth = 120,
        description = {"The Consort daemon: reliable, ordered group communication for client sessions.",
            "",
            "With no options it serves clients on 127.0.0.1:4803 as daemon 'localhost', alone.",
            "With a configuration that lists two or more daemons, it is the daemon of that list named by",
            "--name (or daemon.name in the file, or the one whose address is on this machine), and forms",
            "a ring with the others over UDP. SIGTERM stops it gracefully: its clients get DAEMON_SHUTDOWN,",
            "the other daemons' members see its sessions leave; then it announces its leave to the ring,",
            "which re-forms without it at once (no token-loss wait). The stop takes at most timeouts.leave.",
            ""},
        footer = {"", "YAML configuration (every key optional; see transport-udp DaemonConfigFile):",
            "  daemon:   name, host (client address; 0.0.0.0 for all), clientPort",
            "  network:  daemons: list of {name, id (0-1023), address, port (daemon-to-daemon UDP)},",
            "            mtu (default 1500; larger messages travel in fragments),",
            "            multicast (group:port, optional), interface (for multicast, optional),",
            "            clusterKey (a key file: daemon traffic sealed with AES-256-GCM; re-read every second)",
            "            discovery (instead of daemons: {srv (DNS name of SRV records, one per daemon),",
            "            port (4804), address (0.0.0.0), refreshMillis (5000), nameServer}; the daemon's",
            "            name must end in its id, as a StatefulSet pod's does: consort-0, consort-1, ...)",
            "  timeouts: milliseconds: tokenLoss (400), tokenRetransmit (30), joinInterval (20),",
            "            consensus (200), mergeDetect (100), tokenHold (1), rotationMinMicros (500),",
            "            leave (5 x tokenLoss: the longest a SIGTERM waits to leave the ring gracefully)",
            "  windows:  global (256 messages per token rotation), personal (64 per visit)",
            "  spread:   port (serve Spread 4.4 clients there; the client port itself is shared), enabled",
            "  admin:    port (9464), address (127.0.0.1), allowFaultInjection (false): /metrics, /ready, /live,",
            "            consort-monitor's API and the live view (docs/OPERATIONS.md); absent: no admin port",
            "  limits:   maxMessageBytes (1048576), maxGroupsPerMessage (128), maxSessions (10000),",
            "            sessionBufferBytesMax (16777216), sendWindowMessages (2048), sendWindowBytes (4194304),",
            "            slowConsumerPolicy (disconnect | hold-back-senders)",
            "  security: client sessions (docs/SECURITY-SESSIONS.md); re-read when the file changes:",
            "            reload (ms between checks, 2000; 0 never),",
            "            tls: certificateChain, privateKey (PEM, PKCS#8), trustedCertificates,",
            "                 clientAuth (none | want | need), reloadCheck (ms, 1000),",
            "            authentication: methods ([certificate, password]), users ({identity: hash},",
            "                 hashes from --hash-password), failureDelay ({min: 100, max: 10000} ms),",
            "            access: list of {identity (glob, or anonymous), allow ([connect, join, send,",
            "                 unicast]), groups (globs, default *)}",
            "",
            "spread.conf (a file ending in .conf, or --spread-conf): Spread_Segment blocks give the",
            "daemons (ids 1, 2, ... in file order); clients use the segment port, daemons port+1,",
            "a multicast segment address is used as the multicast group on port+2; Spread 4.4 clients",
            "are served on the segment port beside Consort's (--no-spread turns that off). Token_Timeout,",
            "Hurry_Timeout, Join_Timeout, Gather_Timeout, Window, Personal_Window map; Spread's other",
            "settings are ignored with a warning.",
            "",
            "Off loopback consortd refuses to start without TLS for clients and a cluster key for the",
            "daemon network, unless --insecure (docs/SECURITY.md).",
            "",
            "Command-line options override the file. Configuration errors name the file and line;",
            "the exit code is then 2. If the engine fails (an internal fault), the daemon stops: its",
            "clients get ERROR DAEMON_FAILED, the other daemons re-form without it, the exit code is 70.",
            "",
            "Examples:",
            "  consortd",
            "  consortd --config consort.yaml --name d2",
            "  consortd --spread-conf /etc/spread.conf --name d1"})
public final class Consortd implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Configuration file: YAML, or a Spread-style spread.conf if its name ends in .conf.")
    @Nullable Path config;

    @Option(names = "--spread-conf", paramLabel = "FILE", description = "A Spread-style spread.conf, whatever its name.")
    @Nullable Path spreadConf;

    @Option(names = {"-n", "--name"}, paramLabel = "NAME",
            description = "This daemon's name: the second part of its sessions' private names, and which daemon "
                    + "of the configuration's network this is (default localhost).")
    @Nullable String name;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "Address to listen on for clients (default 127.0.0.1).")
    @Nullable String host;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "Client port (default 4803); 0 picks a free one.",
            defaultValue = "-1", showDefaultValue = CommandLine.Help.Visibility.NEVER)
    int port = -1;

    @Option(names = "--hash-password", description = "Read a password (from the terminal, or one line of standard "
            + "input) and print its hash for security.authentication.users, then exit.")
    boolean hashPassword;

    @Option(names = "--spread-port", paramLabel = "PORT",
            description = "Also serve Spread 4.4 clients on PORT (the client port itself is shared); "
                    + "on by default, on the segment port, with a spread.conf.",
            defaultValue = "-1", showDefaultValue = CommandLine.Help.Visibility.NEVER)
    int spreadPort = -1;

    @Option(names = "--no-spread", description = "Serve no Spread 4.4 clients, even with a spread.conf.")
    boolean noSpread;

    @Option(names = "--cluster-key", paramLabel = "FILE",
            description = "Cluster key file (network.clusterKey): daemon-to-daemon traffic sealed with AES-256-GCM; "
                    + "the file is re-read every second, so a key rotation needs no restart.")
    @Nullable Path clusterKey;

    @Option(names = "--record-inputs", paramLabel = "FILE",
            description = "Record every input of the engine to FILE (daemon.recordInputs), with its configuration, "
                    + "so that a test can replay the run (io.consort.core.Replay); off by default.")
    @Nullable Path recordInputs;

    @Option(names = "--log-level", paramLabel = "LEVEL",
            description = "Log level: error, warn, info (the default), debug or trace. Membership changes are "
                    + "logged at info by io.consort.membership, one line each.")
    @Nullable String logLevel;

    @Option(names = "--admin-port", paramLabel = "PORT", defaultValue = "-1",
            showDefaultValue = CommandLine.Help.Visibility.NEVER,
            description = "Serve the admin port (metrics, /ready, /live, consort-monitor, the live view) on PORT, "
                    + "over admin.port; 0 picks a free one.")
    int adminPort = -1;

    @Option(names = "--insecure", description = "Start even if clients or daemons are reachable off loopback without "
            + "TLS or a cluster key (logged as a warning).")
    boolean insecure;

    /** What the daemon runs: its options and, in a daemon network, its transport and its cluster key file. */
    record Plan(DaemonOptions options, @Nullable UdpOptions udp, @Nullable String selfDescription,
            @Nullable Path clusterKey, SecurityPosture posture, DnsDiscovery.@Nullable Config discovery) {
        Plan(DaemonOptions options, @Nullable UdpOptions udp, @Nullable String selfDescription) {
            this(options, udp, selfDescription, null, SecurityPosture.of("127.0.0.1", false, List.of(), false), null);
        }

        Plan(DaemonOptions options, @Nullable UdpOptions udp, @Nullable String selfDescription,
                @Nullable Path clusterKey, SecurityPosture posture) {
            this(options, udp, selfDescription, clusterKey, posture, null);
        }
    }

    final List<String> warnings = new ArrayList<>();
    /** The network's daemon names by id, once {@link #plan()} has read them. */
    java.util.Map<Integer, String> daemonNames = java.util.Map.of();

    /** The plan the command line and the file describe together. */
    Plan plan() {
        DaemonOptions options = DaemonOptions.defaults();
        DaemonConfigFile.Parsed parsed = new DaemonConfigFile.Parsed(options, null);
        if (spreadConf != null) {
            parsed = SpreadConf.parse(spreadConf, options, warnings::add);
        } else if (config != null) {
            parsed = SpreadConf.looksLikeSpreadConf(config) ? SpreadConf.parse(config, options, warnings::add)
                    : DaemonConfigFile.parse(config, options);
        }
        options = parsed.options();
        if (host != null) {
            options = options.withHost(host);
        }
        if (port >= 0) {
            options = options.withPort(port);
        }
        if (name != null) {
            options = options.withEngine(options.engine().withDaemonName(name));
        }
        if (spreadPort >= 0) {
            options = options.withSpreadPort(spreadPort);
        }
        if (noSpread) {
            options = options.withSpreadPort(DaemonOptions.SPREAD_OFF);
        }
        if (recordInputs != null) {
            options = options.withRecordInputs(recordInputs);
        }
        if (options.spreadPort() > 0 && options.spreadPort() == options.port()) {
            options = options.withSpreadPort(DaemonOptions.SPREAD_ON_CLIENT_PORT);
        }
        options = options.withEngine(options.engine().withIncarnation(Math.max(1, System.currentTimeMillis())));
        NetworkConfig net = parsed.network();
        if (net != null) {
            // Spread lists a group's members by daemon in configuration order: ours by id, which is that order.
            // Daemon id i at position i - 1 ("" for ids not in use): the Spread endpoint names ids so.
            int top = net.daemons().stream().mapToInt(NetworkConfig.Daemon::id).max().orElse(0);
            String[] byId = new String[top];
            java.util.Arrays.fill(byId, "");
            net.daemons().stream().filter(d -> d.id() > 0).forEach(d -> byId[d.id() - 1] = d.name());
            options = options.withSpreadDaemonOrder(java.util.Arrays.asList(byId));
        }
        boolean tls = SecurityPosture.hasTlsSection(config);
        if (net == null || (net.discovery() == null && net.daemons().size() < 2)) {
            return new Plan(options, null, null, null, SecurityPosture.of(options.host(), tls, List.of(), false));
        }
        Path keyFile = clusterKey != null ? clusterKey : net.clusterKey();
        if (keyFile != null) {
            ClusterKeys.read(keyFile); // a bad key file is a configuration error, before anything starts
            try {
                java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = java.nio.file.Files.getPosixFilePermissions(keyFile);
                if (perms.stream().anyMatch(x -> x.name().startsWith("GROUP") || x.name().startsWith("OTHERS"))) {
                    warnings.add(keyFile + " can be read by other users than its owner (chmod 600 it)");
                }
            } catch (java.io.IOException | UnsupportedOperationException e) {
                // not a POSIX file system: nothing to check
            }
            // Sealed packets are longer: the engine's datagrams shrink so that they still fit the MTU.
            int sealedMax = options.engine().maxDatagramBytes() - PacketSealer.OVERHEAD_BYTES;
            options = options.withEngine(options.engine().withMaxDatagramBytes(sealedMax));
        }
        boolean named = name != null
                || !options.engine().daemonName().equals(DaemonOptions.defaults().engine().daemonName());
        NetworkConfig.Discovery discovery = net.discovery();
        if (discovery != null) {
            return DiscoveryPlan.of(options, net, discovery, named, tls, keyFile);
        }
        daemonNames = net.daemons().stream().collect(java.util.stream.Collectors.toUnmodifiableMap(
                NetworkConfig.Daemon::id, NetworkConfig.Daemon::name));
        NetworkConfig.Daemon self = selfIn(net, options.engine().daemonName(), named);
        options = options.withEngine(options.engine().withDaemonName(self.name()).withClustered(true)
                .withDaemonId(self.id()));
        UdpOptions udp = net.udpOptions(self);
        SecurityPosture posture = SecurityPosture.of(options.host(), tls,
                net.daemons().stream().map(NetworkConfig.Daemon::host).toList(), keyFile != null);
        return new Plan(options, udp, self.name() + " (id " + self.id() + ") of " + net.daemons().size()
                + " daemons, daemon traffic on " + udp.self() + (keyFile == null ? ", plain" : ", sealed"),
                keyFile, posture);
    }

    private static NetworkConfig.Daemon selfIn(NetworkConfig net, String name, boolean named) {
        if (named) {
            NetworkConfig.Daemon d = net.byName(name);
            if (d == null) {
                throw new DaemonConfigFile.ConfigException(net.source() + ": daemon '" + name
                        + "' is not listed; listed: " + net.daemons().stream().map(NetworkConfig.Daemon::name).toList());
            }
            return d;
        }
        List<NetworkConfig.Daemon> local = new ArrayList<>();
        for (NetworkConfig.Daemon d : net.daemons()) {
            try {
                InetAddress a = InetAddress.getByName(d.host());
                if (!a.isLoopbackAddress() && NetworkInterface.getByInetAddress(a) != null) {
                    local.add(d);
                }
            } catch (java.io.IOException e) {
                // not this one
            }
        }
        if (local.size() != 1) {
            throw new DaemonConfigFile.ConfigException(net.source() + ": say which daemon this is with --name"
                    + " (or daemon.name); " + (local.isEmpty() ? "no listed address is on this machine"
                    : "several listed addresses are on this machine: " + local.stream().map(NetworkConfig.Daemon::name).toList()));
        }
        return local.get(0);
    }

    @Override
    public Integer call() throws Exception {
        if (hashPassword) {
            System.out.println(io.consort.daemon.security.PasswordHash.hash(
                    io.consort.daemon.security.PasswordHash.readPassword()));
            return 0;
        }
        if (logLevel != null) {
            String level = logLevel.toLowerCase(java.util.Locale.ROOT);
            if (!List.of("error", "warn", "info", "debug", "trace").contains(level)) {
                System.err.println("consortd: --log-level must be error, warn, info, debug or trace, was " + logLevel);
                return 2;
            }
            // Read by slf4j-simple when the first logger is made, which is after this.
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        }
        Plan plan;
        AdminOptions admin;
        try {
            plan = plan();
            admin = adminOptions();
        } catch (DaemonConfigFile.ConfigException | IllegalArgumentException e) {
            System.err.println("consortd: " + e.getMessage());
            return 2;
        }
        warnings.forEach(w -> System.err.println("consortd: warning: " + w));
        if (!plan.posture().problems().isEmpty()) {
            if (!insecure) {
                plan.posture().problems().forEach(p -> System.err.println("consortd: refusing to start: " + p));
                System.err.println("consortd: (--insecure starts anyway; see docs/SECURITY.md)");
                return 2;
            }
            plan.posture().problems().forEach(p -> System.err.println("consortd: warning: --insecure: " + p));
        }
        EmbeddedDaemon daemon;
        KeyFileWatcher watcher = null;
        try {
            PacketSealer sealer = null;
            Path keyFile = plan.clusterKey();
            if (plan.udp() != null && keyFile != null) {
                sealer = PacketSealer.forProcess(plan.udp().selfId(), ClusterKeys.read(keyFile));
                watcher = KeyFileWatcher.start(keyFile, sealer, KeyFileWatcher.DEFAULT_PERIOD,
                        m -> System.out.println("consortd: " + m));
            }
            daemon = start(plan, sealer);
            daemon.monitor().daemonNames(daemonNames);
        } catch (RuntimeException e) {
            if (watcher != null) {
                watcher.close();
            }
            System.err.println("consortd: cannot start: " + e.getMessage());
            return 1;
        }
        AdminServer adminServer;
        try {
            adminServer = admin == null ? null : AdminServer.start(daemon.monitor(), admin);
        } catch (RuntimeException e) {
            System.err.println("consortd: cannot serve the admin port " + admin.address() + ":" + admin.port() + ": "
                    + e.getMessage());
            daemon.close();
            return 1;
        }
        SecurityReloader reloader = securityReloader(daemon);
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        daemon.failure().thenAccept(cause -> {
            // Fail-stop: the daemon already told its clients and left the network; the process ends non-zero.
            System.err.println("consortd: the engine failed, daemon stopped: " + cause);
            failed.set(true);
            stopped.countDown();
        });
        KeyFileWatcher keys = watcher;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (reloader != null) {
                reloader.close();
            }
            if (keys != null) {
                keys.close();
            }
            daemon.close();
            if (adminServer != null) {
                adminServer.close(); // after the daemon, so /ready and /metrics answer while it leaves the ring
            }
            stopped.countDown();
        }, "consortd-shutdown"));
        System.out.println("consortd: daemon " + plan.options().engine().daemonName() + " serving clients on "
                + daemon.host() + ":" + daemon.port() + (plan.options().security().tls() == null ? "" : " over TLS")
                + (daemon.spreadPort() < 0 ? "" : ", Spread 4.4 clients on " + daemon.host() + ":" + daemon.spreadPort())
                + (plan.selfDescription() == null ? "" : "; in a daemon network as " + plan.selfDescription())
                + (adminServer == null ? "" : "; admin port on " + admin.address() + ":" + adminServer.port()));
        System.out.flush();
        stopped.await();
        return failed.get() ? EXIT_ENGINE_FAILED : 0;
    }

    /**
     * Starts, in this JVM, the daemon that consortd's command line {@code args} describe (the same options
     * and configuration file), for an application that hosts its daemon and connects its sessions in-process.
     *
     * <pre>{@code
     * EmbeddedDaemon d = Consortd.startEmbedded("--config", "consort.yaml", "--name", "d1", "--port", "0");
     * Session s = ConsortClient.create().inJvm(d.inJvmAddress()).connect().block();
     * }</pre>
     *
     * @throws IllegalArgumentException if the arguments or the file are invalid
     */
    public static EmbeddedDaemon startEmbedded(String... args) {
        Consortd c = new Consortd();
        try {
            new CommandLine(c).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Plan plan;
        try {
            plan = c.plan();
        } catch (DaemonConfigFile.ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        UdpOptions udp = plan.udp();
        Path keyFile = plan.clusterKey();
        PacketSealer sealer = udp != null && keyFile != null
                ? PacketSealer.forProcess(udp.selfId(), ClusterKeys.read(keyFile)) : null;
        EmbeddedDaemon d = start(plan, sealer);
        d.monitor().daemonNames(c.daemonNames);
        return d;
    }

    /** The daemon of {@code plan}, its daemon traffic sealed by {@code sealer} if there is one. */
    private static EmbeddedDaemon start(Plan plan, @Nullable PacketSealer sealer) {
        UdpOptions udp = plan.udp();
        if (udp == null) {
            return EmbeddedDaemon.start(plan.options());
        }
        UdpDaemonNetwork network = UdpDaemonNetwork.create(udp,
                plan.options().engine().maxDatagramBytes() + UdpDaemonNetwork.HEADER_BYTES, sealer);
        DnsDiscovery.Config dns = plan.discovery();
        return dns == null ? EmbeddedDaemon.start(plan.options(), network) : DiscoveryPlan.start(plan, dns, network);
    }

    /** The admin port the file and --admin-port ask for, or null for none. */
    @Nullable AdminOptions adminOptions() {
        AdminOptions a = spreadConf != null ? null : AdminSection.read(config);
        if (adminPort >= 0) {
            a = (a == null ? AdminOptions.defaults() : a).withPort(adminPort);
        }
        return a;
    }

    /** Watches a YAML configuration for changed security settings (security.reload), or null. */
    private @Nullable SecurityReloader securityReloader(EmbeddedDaemon daemon) {
        Path yaml = spreadConf == null && config != null && !SpreadConf.looksLikeSpreadConf(config) ? config : null;
        if (yaml == null) {
            return null;
        }
        java.time.Duration interval = DaemonConfigFile.securityReloadInterval(yaml);
        if (interval.isZero()) {
            return null;
        }
        SecurityReloader reloader = new SecurityReloader(yaml, daemon::updateSecurity);
        reloader.start(interval);
        return reloader;
    }

    /** consortd's exit code when its engine failed and the daemon fail-stopped (sysexits' EX_SOFTWARE). */
    static final int EXIT_ENGINE_FAILED = 70;

    /** Runs consortd. */
    public static void main(String[] args) {
        int code = new CommandLine(new Consortd()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}

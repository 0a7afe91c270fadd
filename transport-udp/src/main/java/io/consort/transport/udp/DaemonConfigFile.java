package io.consort.transport.udp;

import io.consort.core.EngineConfig;
import io.consort.daemon.DaemonOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads consortd's YAML configuration. Every key is optional; what is missing keeps its default.
 *
 * <pre>
 * daemon:
 *   name: d1                 # the daemon part of private names; in a network, which listed daemon this is
 *   host: 127.0.0.1          # where clients connect
 *   clientPort: 4803
 *   recordInputs: d1.inputs  # optional: record the engine's inputs for replay in a test (relative to this file)
 * network:                   # two or more daemons make a daemon network (the Totem ring over UDP)
 *   daemons:
 *     - {name: d1, id: 1, address: 10.0.0.1, port: 4903}
 *     - {name: d2, id: 2, address: 10.0.0.2, port: 4903}
 *   mtu: 1500                # datagrams are sized to it; larger messages travel in fragments
 *   multicast: 239.0.0.1:4904  # optional: broadcasts to this group instead of to each daemon
 *   interface: eth0          # optional: the interface for multicast
 *   clusterKey: cluster.key  # optional: seal daemon traffic with AES-256-GCM under this key file
 *                            # (relative to this file; see ClusterKeys and docs/SECURITY.md)
 *   discovery:               # instead of daemons: find them in DNS SRV records (DnsDiscovery)
 *     srv: _daemon._udp.consort.default.svc.cluster.local
 *     port: 4804             # this daemon's daemon-to-daemon UDP port; address: 0.0.0.0 where it binds
 *     refreshMillis: 5000    # looked up again this often, so daemons started later join
 *     nameServer: 10.96.0.10:53  # optional: default, the system's (/etc/resolv.conf)
 * timeouts:                  # milliseconds
 *   tokenLoss: 400           # no token this long: the ring re-forms without the silent daemons
 *   tokenRetransmit: 30
 *   joinInterval: 20
 *   consensus: 200
 *   mergeDetect: 100
 *   tokenHold: 1
 *   rotationMinMicros: 500   # under light traffic the token goes round at most once in this long (0: unpaced)
 *   leave: 2000              # a graceful stop (SIGTERM) waits at most this long to leave the ring (5 x tokenLoss)
 * ring:
 *   wireVersionMax: 3        # the newest ring wire version this daemon speaks (2 or 3): 2 holds it at the
 *                            # previous release's format; a ring runs at the newest all members speak
 *                            # (docs/PROTOCOL.md, "Versions and upgrades")
 * windows:
 *   global: 256              # messages per token rotation, all daemons together
 *   personal: 64             # messages per token visit, one daemon
 * spread:                    # serve Spread 4.4 clients (their own library, unchanged); see docs/SPREAD.md
 *   port: 4803               # the clientPort itself is shared: the first byte tells the protocols apart
 *   enabled: true            # false turns it off (it is on by default for a spread.conf)
 * limits:
 *   maxMessageBytes: 1048576
 *   maxGroupsPerMessage: 128
 *   maxSessions: 10000
 *   sessionBufferBytesMax: 16777216
 *   sendWindowMessages: 2048       # multicasts a session may have sent and not yet had ordered
 *   sendWindowBytes: 4194304       # ... and their payload bytes: the window for large messages
 *   slowConsumerPolicy: disconnect   # or hold-back-senders
 * security:                  # client sessions; see SecuritySection and docs/SECURITY-SESSIONS.md
 *   tls: {certificateChain: daemon.crt, privateKey: daemon.key, trustedCertificates: ca.crt, clientAuth: need}
 *   authentication: {methods: [certificate, password], users: {alice: "pbkdf2-sha256:..."}}
 *   access:
 *     - {identity: alice, allow: [connect, join, send, unicast], groups: ["orders.*", "#*#*"]}
 * </pre>
 *
 * Errors name the file, the line and what is wrong.
 */
public final class DaemonConfigFile {
    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private DaemonConfigFile() {
    }

    /** What a configuration file says: the daemon's options and, for a daemon network, its daemons. */
    public record Parsed(DaemonOptions options, @Nullable NetworkConfig network) {
    }

    /** The daemon options {@code file} describes, over {@code base}. */
    public static DaemonOptions read(Path file, DaemonOptions base) {
        return parse(file, base).options();
    }

    /** Everything {@code file} describes, over {@code base}. */
    public static Parsed parse(Path file, DaemonOptions base) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JacksonException e) {
            TokenStreamLocation loc = e.getLocation();
            String where = loc == null ? "" : ":" + loc.getLineNr();
            throw new ConfigException(file + where + ": not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return new Parsed(base, null);
        }
        Reader r = new Reader(file, text);
        r.onlyKeys(root, "", "daemon", "network", "timeouts", "windows", "limits", "security", "spread", "ring", "admin");
        DaemonOptions options = base;
        EngineConfig engine = base.engine();
        JsonNode daemon = root.path("daemon");
        if (!daemon.isMissingNode()) {
            r.onlyKeys(daemon, "daemon.", "name", "host", "clientPort", "recordInputs");
            if (daemon.has("recordInputs")) {
                Path rec = Path.of(r.text(daemon, "daemon.recordInputs"));
                Path dir = file.toAbsolutePath().getParent();
                options = options.withRecordInputs(rec.isAbsolute() || dir == null ? rec : dir.resolve(rec));
            }
            if (daemon.has("name")) {
                String name = r.text(daemon, "daemon.name");
                engine = r.apply("daemon.name", engine, e -> e.withDaemonName(name));
            }
            if (daemon.has("host")) {
                options = options.withHost(r.text(daemon, "daemon.host"));
            }
            options = r.integerSetting(daemon, "daemon.clientPort", options, DaemonOptions::withPort);
        }
        JsonNode spread = root.path("spread");
        if (!spread.isMissingNode()) {
            r.onlyKeys(spread, "spread.", "port", "enabled");
            boolean enabled = true;
            if (spread.has("enabled")) {
                JsonNode v = spread.get("enabled");
                if (!v.isBoolean()) {
                    throw r.error("spread.enabled", "must be true or false, was " + v);
                }
                enabled = v.booleanValue();
            }
            if (!enabled) {
                options = options.withSpreadPort(DaemonOptions.SPREAD_OFF);
            } else if (spread.has("port")) {
                options = r.integerSetting(spread, "spread.port", options, DaemonOptions::withSpreadPort);
            } else {
                options = options.withSpreadPort(DaemonOptions.SPREAD_ON_CLIENT_PORT);
            }
        }
        JsonNode ring = root.path("ring");
        if (!ring.isMissingNode()) {
            r.onlyKeys(ring, "ring.", "wireVersionMax");
            engine = r.integerSetting(ring, "ring.wireVersionMax", engine, EngineConfig::withWireVersionMax);
        }
        JsonNode limits = root.path("limits");
        if (!limits.isMissingNode()) {
            r.onlyKeys(limits, "limits.", "maxMessageBytes", "maxGroupsPerMessage", "maxSessions",
                    "sessionBufferBytesMax", "sendWindowMessages", "sendWindowBytes", "slowConsumerPolicy");
            engine = r.integerSetting(limits, "limits.maxMessageBytes", engine, EngineConfig::withMaxMessageBytes);
            engine = r.integerSetting(limits, "limits.maxGroupsPerMessage", engine,
                    EngineConfig::withMaxGroupsPerMessage);
            engine = r.integerSetting(limits, "limits.maxSessions", engine, EngineConfig::withMaxSessions);
            engine = r.integerSetting(limits, "limits.sessionBufferBytesMax", engine,
                    EngineConfig::withSessionBufferBytesMax);
            engine = r.integerSetting(limits, "limits.sendWindowMessages", engine,
                    EngineConfig::withSendWindowMessages);
            engine = r.integerSetting(limits, "limits.sendWindowBytes", engine, EngineConfig::withSendWindowBytes);
            if (limits.has("slowConsumerPolicy")) {
                String v = r.text(limits, "limits.slowConsumerPolicy");
                EngineConfig.SlowConsumerPolicy policy = switch (v.toLowerCase(Locale.ROOT)) {
                    case "disconnect" -> EngineConfig.SlowConsumerPolicy.DISCONNECT;
                    case "hold-back-senders" -> EngineConfig.SlowConsumerPolicy.HOLD_BACK_SENDERS;
                    default -> throw r.error("limits.slowConsumerPolicy",
                            "must be disconnect or hold-back-senders, was '" + v + "'");
                };
                engine = engine.withSlowConsumerPolicy(policy);
            }
        }
        JsonNode timeouts = root.path("timeouts");
        if (!timeouts.isMissingNode()) {
            String[] keys = {"tokenLoss", "tokenRetransmit", "joinInterval", "consensus", "mergeDetect", "tokenHold"};
            String[] allowed = java.util.Arrays.copyOf(keys, keys.length + 2);
            allowed[keys.length] = "leave";
            allowed[keys.length + 1] = "rotationMinMicros";
            r.onlyKeys(timeouts, "timeouts.", allowed);
            long[] v = {engine.tokenLossTimeoutNanos(), engine.tokenRetransmitNanos(), engine.joinIntervalNanos(),
                engine.consensusTimeoutNanos(), engine.mergeDetectNanos(), engine.tokenHoldNanos()};
            for (int i = 0; i < keys.length; i++) {
                if (timeouts.has(keys[i])) {
                    int ms = r.integer(timeouts, "timeouts." + keys[i]);
                    if (ms <= 0) {
                        throw r.error("timeouts." + keys[i], "must be a positive number of milliseconds, was " + ms);
                    }
                    v[i] = ms * 1_000_000L;
                }
            }
            engine = r.apply("timeouts", engine, e -> e.withTimeouts(v[0], v[1], v[2], v[3], v[4], v[5]));
            if (timeouts.has("leave")) {
                int ms = r.integer(timeouts, "timeouts.leave");
                if (ms <= 0) {
                    throw r.error("timeouts.leave", "must be a positive number of milliseconds, was " + ms);
                }
                engine = engine.withLeaveTimeoutNanos(ms * 1_000_000L);
            }
            if (timeouts.has("rotationMinMicros")) {
                int us = r.integer(timeouts, "timeouts.rotationMinMicros");
                engine = r.apply("timeouts.rotationMinMicros", engine, e -> e.withRotationMinNanos(us * 1_000L));
            }
        }
        JsonNode windows = root.path("windows");
        if (!windows.isMissingNode()) {
            r.onlyKeys(windows, "windows.", "global", "personal");
            int global = windows.has("global") ? r.integer(windows, "windows.global") : engine.globalWindowMessages();
            int personal = windows.has("personal") ? r.integer(windows, "windows.personal")
                    : Math.min(global, engine.personalWindowMessages());
            engine = r.apply("windows", engine, e -> e.withWindows(global, personal));
        }
        NetworkConfig network = null;
        JsonNode net = root.path("network");
        if (!net.isMissingNode()) {
            r.onlyKeys(net, "network.", "daemons", "mtu", "multicast", "interface", "clusterKey", "discovery");
            NetworkConfig.Discovery discovery = DiscoverySection.read(net, r);
            JsonNode list = discovery != null && !net.has("daemons") ? MAPPER.createArrayNode() : net.path("daemons");
            if (discovery != null && !list.isEmpty()) {
                throw r.error("network.discovery", "and network.daemons cannot both be given: the daemons are either"
                        + " listed or found in DNS");
            }
            if (discovery == null && (!list.isArray() || list.isEmpty())) {
                throw r.error("network.daemons", "must be a list of daemons, each with name, id, address and port");
            }
            java.util.List<NetworkConfig.Daemon> daemons = new java.util.ArrayList<>();
            java.util.Set<String> names = new java.util.HashSet<>();
            java.util.Set<Integer> ids = new java.util.HashSet<>();
            int item = 0;
            for (JsonNode d : list) {
                int line = r.itemLine("daemons", item++);
                if (!d.isObject()) {
                    throw r.errorAt(line, "network.daemons", "items must each be a mapping with name, id, address and port");
                }
                for (String k : d.propertyNames()) {
                    if (!java.util.Set.of("name", "id", "address", "port").contains(k)) {
                        throw r.errorAt(line, "network.daemons." + k, "is not a known key; known here: name, id, address, port");
                    }
                }
                for (String k : new String[] {"name", "id", "address", "port"}) {
                    if (!d.has(k)) {
                        throw r.errorAt(line, "network.daemons", "item " + item + " has no " + k);
                    }
                }
                String name = d.get("name").asString();
                int id = d.get("id").canConvertToInt() ? d.get("id").intValue() : -1;
                int port = d.get("port").canConvertToInt() ? d.get("port").intValue() : -1;
                if (!d.get("id").isIntegralNumber() || id < 0 || id > EngineConfig.MAX_DAEMON_ID) {
                    throw r.errorAt(line, "network.daemons.id", "must be 0 to " + EngineConfig.MAX_DAEMON_ID + ", was " + d.get("id"));
                }
                if (!d.get("port").isIntegralNumber() || port < 1 || port > 65535) {
                    throw r.errorAt(line, "network.daemons.port", "must be 1 to 65535, was " + d.get("port"));
                }
                try {
                    io.consort.core.Names.checkUser(name, 32);
                } catch (RuntimeException e) {
                    throw r.errorAt(line, "network.daemons.name", "'" + name + "' is not a valid daemon name: " + e.getMessage());
                }
                if (!names.add(name)) {
                    throw r.errorAt(line, "network.daemons.name", "'" + name + "' is listed twice");
                }
                if (!ids.add(id)) {
                    throw r.errorAt(line, "network.daemons.id", id + " is listed twice");
                }
                daemons.add(new NetworkConfig.Daemon(name, id, d.get("address").asString(), port, line));
            }
            int mtu = NetworkConfig.DEFAULT_MTU;
            if (net.has("mtu")) {
                mtu = r.integer(net, "network.mtu");
                if (mtu < 576 || mtu > 65535) {
                    throw r.error("network.mtu", "must be 576 to 65535, was " + mtu);
                }
            }
            java.net.InetSocketAddress mcast = null;
            if (net.has("multicast")) {
                String m = r.text(net, "network.multicast");
                int colon = m.lastIndexOf(':');
                try {
                    java.net.InetAddress a = java.net.InetAddress.getByName(m.substring(0, colon));
                    int p = Integer.parseInt(m.substring(colon + 1));
                    if (!a.isMulticastAddress()) {
                        throw r.error("network.multicast", m + " is not a multicast address (224.0.0.0/4)");
                    }
                    mcast = new java.net.InetSocketAddress(a, p);
                } catch (java.io.IOException | RuntimeException e) {
                    if (e instanceof ConfigException ce) {
                        throw ce;
                    }
                    throw r.error("network.multicast", "must be group:port, such as 239.0.0.1:4904, was '" + m + "'");
                }
            }
            String nif = net.has("interface") ? r.text(net, "network.interface") : null;
            network = new NetworkConfig(daemons, mtu, mcast, nif, file.toString()).withDiscovery(discovery);
            if (net.has("clusterKey")) {
                Path key = Path.of(r.text(net, "network.clusterKey"));
                Path dir = file.toAbsolutePath().getParent();
                network = network.withClusterKey(key.isAbsolute() || dir == null ? key : dir.resolve(key));
            }
            int maxDatagram = network.maxDatagramBytes();
            engine = r.apply("network.mtu", engine, e -> e.withMaxDatagramBytes(maxDatagram));
        }
        options = SecuritySection.read(root.path("security"), r, file, options);
        return new Parsed(options.withEngine(engine), network);
    }

    /**
     * How often consortd checks {@code file} for changed security settings: {@code security.reload}
     * milliseconds (2000 by default when the file has a security section; 0, never, when it has none
     * or cannot be read).
     */
    public static java.time.Duration securityReloadInterval(Path file) {
        try {
            JsonNode root = MAPPER.readTree(Files.readString(file));
            return root == null ? java.time.Duration.ZERO : SecuritySection.reloadInterval(root);
        } catch (IOException | JacksonException e) {
            return java.time.Duration.ZERO;
        }
    }

    /** A configuration file is wrong; the message names the file, the line and the problem. */
    public static final class ConfigException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ConfigException(String message) {
            super(message);
        }
    }

    /** Reads typed values and turns every mistake into a message with file and line. */
    static final class Reader {
        private final Path file;
        private final String[] lines;

        Reader(Path file, String text) {
            this.file = file;
            this.lines = text.split("\n", -1);
        }

        ConfigException error(String key, String problem) {
            return new ConfigException(file + ":" + lineOf(key) + ": " + key + " " + problem);
        }

        ConfigException errorAt(int line, String key, String problem) {
            return new ConfigException(file + ":" + line + ": " + key + " " + problem);
        }

        /** The line of item {@code index} of the list under {@code listKey}: the index-th "- " after it. */
        int itemLine(String listKey, int index) {
            int start = lineOf(listKey);
            int seen = -1;
            for (int i = Math.max(0, start); i < lines.length; i++) {
                if (lines[i].trim().startsWith("- ") || lines[i].trim().equals("-")) {
                    if (++seen == index) {
                        return i + 1;
                    }
                }
            }
            return start;
        }

        /** The 1-based line where the key's last segment is written, or 0 if not found. */
        private int lineOf(String key) {
            String last = key.substring(key.lastIndexOf('.') + 1);
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].trim().startsWith(last + ":")) {
                    return i + 1;
                }
            }
            return 0;
        }

        void onlyKeys(JsonNode node, String prefix, String... allowed) {
            if (!node.isObject()) {
                throw error(prefix.isEmpty() ? "(top level)" : prefix.substring(0, prefix.length() - 1),
                        "must be a mapping of keys to values");
            }
            java.util.Set<String> ok = java.util.Set.of(allowed);
            for (String name : node.propertyNames()) {
                if (!ok.contains(name)) {
                    throw error(prefix + name, "is not a known key; known here: " + String.join(", ", allowed));
                }
            }
        }

        String text(JsonNode node, String key) {
            JsonNode v = node.get(key.substring(key.lastIndexOf('.') + 1));
            if (v == null || !v.isValueNode() || v.isNull()) {
                throw error(key, "must be a text value");
            }
            return v.asString();
        }

        int integer(JsonNode node, String key) {
            JsonNode v = node.get(key.substring(key.lastIndexOf('.') + 1));
            if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
                throw error(key, "must be a whole number, was " + (v == null ? "nothing" : v.toString()));
            }
            return v.intValue();
        }

        /** Sets the whole number at {@code key} (if present) on {@code target} with {@code setter}. */
        <T> T integerSetting(JsonNode node, String key, T target, java.util.function.BiFunction<T, Integer, T> setter) {
            if (!node.has(key.substring(key.lastIndexOf('.') + 1))) {
                return target;
            }
            int v = integer(node, key);
            return apply(key, target, t -> setter.apply(t, v));
        }

        <T> T apply(String key, T target, java.util.function.Function<T, T> change) {
            try {
                return change.apply(target);
            } catch (RuntimeException e) {
                throw error(key, "is invalid: " + e.getMessage());
            }
        }
    }
}

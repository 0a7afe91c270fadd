package io.consort.transport.udp;

import io.consort.core.EngineConfig;
import io.consort.core.Names;
import io.consort.daemon.DaemonOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Spread-style {@code spread.conf}, for those migrating from the Spread Toolkit.
 *
 * <pre>
 * Spread_Segment 239.0.0.1:4803 {      # segment address:port; a multicast address means multicast
 *     d1   10.0.0.1                      # daemon name and address (a { D .. C .. } block may follow)
 *     d2   10.0.0.2
 * }
 * Token_Timeout = 5000                   # milliseconds
 * Window = 60
 * </pre>
 *
 * What maps: each daemon of each segment, in file order, gets id 1, 2, ...; its clients connect on
 * the segment port, daemons talk on the segment port + 1; a multicast segment address becomes the
 * multicast group on port + 2. {@code Token_Timeout} is the token loss timeout,
 * {@code Hurry_Timeout} the token retransmit interval, {@code Join_Timeout} the join interval,
 * {@code Gather_Timeout} the consensus timeout, {@code Window} and {@code Personal_Window} the flow
 * control windows. Spread 4.4 clients are served on the segment port beside Consort's own
 * ({@link DaemonOptions#SPREAD_ON_CLIENT_PORT}). Spread's other settings (logging, users, authentication, ...) are accepted and
 * ignored with a warning; anything else is an error naming the file and line.
 */
public final class SpreadConf {
    private static final Pattern SEGMENT = Pattern.compile("(?i)^Spread_Segment\\s+([^\\s:{]+)(?::(\\d+))?\\s*(\\{)?\\s*$");
    private static final Pattern DAEMON = Pattern.compile("^(\\S+)\\s+(\\S+?)\\s*(\\{)?\\s*$");
    private static final Pattern SETTING = Pattern.compile("^(\\w+)\\s*=\\s*(.+?)\\s*$");
    private static final Set<String> IGNORED = Set.of("debugflags", "eventlogfile", "eventtimestamp", "eventpriority",
            "daemonuser", "daemongroup", "runtimedir", "socketportreuse", "requiredauthmethods", "allowedauthmethods",
            "accesscontrolpolicy", "maxsessionmessages", "activeipversion", "excludesegaddrsfromhash",
            "ignoremulticastjoin", "dangerousmonitor", "alive_timeout", "rep_timeout", "seg_timeout", "virtualid");

    private SpreadConf() {
    }

    /** Whether {@code file} looks like a spread.conf (by name). */
    public static boolean looksLikeSpreadConf(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".conf");
    }

    /** What {@code file} describes over {@code base}; warnings about ignored settings go to {@code warn}. */
    public static DaemonConfigFile.Parsed parse(Path file, DaemonOptions base, Consumer<String> warn) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new DaemonConfigFile.ConfigException(file + ": cannot read: " + e.getMessage());
        }
        List<NetworkConfig.Daemon> daemons = new ArrayList<>();
        Set<String> names = new HashSet<>();
        InetSocketAddress multicast = null;
        int clientPort = -1;
        int depth = 0; // 1 inside a segment, 2 inside a daemon's interface block
        int segmentPort = 4803;
        Map<String, Long> timeouts = new java.util.HashMap<>();
        Integer window = null;
        Integer personal = null;
        for (int i = 0; i < lines.size(); i++) {
            int ln = i + 1;
            String line = lines.get(i);
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.trim();
            if (line.isEmpty()) {
                continue;
            }
            if (depth == 2) {
                if (line.equals("}")) {
                    depth = 1;
                }
                continue; // interface lines (D / C / M address): the daemon's main address serves all
            }
            if (depth == 1) {
                if (line.equals("}")) {
                    depth = 0;
                    continue;
                }
                Matcher d = DAEMON.matcher(line);
                if (!d.matches()) {
                    throw err(file, ln, "expected a daemon line 'name address' or '}', got '" + line + "'");
                }
                String name = d.group(1);
                try {
                    Names.checkUser(name, 32);
                } catch (RuntimeException e) {
                    throw err(file, ln, "'" + name + "' is not a valid daemon name: " + e.getMessage());
                }
                if (!names.add(name)) {
                    throw err(file, ln, "daemon '" + name + "' is listed twice");
                }
                if (daemons.size() >= EngineConfig.MAX_DAEMON_ID) {
                    throw err(file, ln, "too many daemons");
                }
                daemons.add(new NetworkConfig.Daemon(name, daemons.size() + 1, d.group(2), segmentPort + 1, ln));
                if (d.group(3) != null) {
                    depth = 2;
                }
                continue;
            }
            Matcher seg = SEGMENT.matcher(line);
            if (seg.matches()) {
                segmentPort = seg.group(2) == null ? 4803 : Integer.parseInt(seg.group(2));
                if (segmentPort < 1 || segmentPort > 65533) {
                    throw err(file, ln, "segment port must be 1 to 65533, was " + segmentPort);
                }
                if (clientPort < 0) {
                    clientPort = segmentPort;
                }
                try {
                    InetAddress a = InetAddress.getByName(seg.group(1));
                    if (a.isMulticastAddress()) {
                        multicast = new InetSocketAddress(a, segmentPort + 2);
                    }
                } catch (IOException e) {
                    throw err(file, ln, "segment address '" + seg.group(1) + "' is not an address");
                }
                if (seg.group(3) == null) {
                    // "{" on the next line
                    int j = i + 1;
                    while (j < lines.size() && lines.get(j).trim().isEmpty()) {
                        j++;
                    }
                    if (j >= lines.size() || !lines.get(j).trim().equals("{")) {
                        throw err(file, ln, "Spread_Segment must be followed by '{'");
                    }
                    i = j;
                }
                depth = 1;
                continue;
            }
            Matcher set = SETTING.matcher(line);
            if (!set.matches()) {
                throw err(file, ln, "not a Spread_Segment, a daemon or a 'Key = value' setting: '" + line + "'");
            }
            String key = set.group(1).toLowerCase(Locale.ROOT);
            String value = set.group(2);
            switch (key) {
                case "token_timeout", "hurry_timeout", "join_timeout", "gather_timeout" ->
                        timeouts.put(key, number(file, ln, set.group(1), value) * 1_000_000L);
                case "window" -> window = (int) number(file, ln, set.group(1), value);
                case "personal_window" -> personal = (int) number(file, ln, set.group(1), value);
                default -> {
                    if (!IGNORED.contains(key)) {
                        throw err(file, ln, "unknown setting '" + set.group(1) + "'");
                    }
                    warn.accept(file + ":" + ln + ": " + set.group(1) + " has no meaning for consortd; ignored");
                }
            }
        }
        if (depth != 0) {
            throw err(file, lines.size(), "a '{' is not closed");
        }
        if (daemons.isEmpty()) {
            throw err(file, lines.size(), "no Spread_Segment with daemons");
        }
        EngineConfig e = base.engine();
        try {
            if (!timeouts.isEmpty()) {
                long loss = timeouts.getOrDefault("token_timeout", e.tokenLossTimeoutNanos());
                long hurry = timeouts.getOrDefault("hurry_timeout", Math.min(e.tokenRetransmitNanos(), loss / 2));
                long join = timeouts.getOrDefault("join_timeout", e.joinIntervalNanos());
                long gather = timeouts.getOrDefault("gather_timeout", Math.max(e.consensusTimeoutNanos(), 2 * join));
                e = e.withTimeouts(loss, hurry, join, gather, Math.max(e.mergeDetectNanos(), join),
                        Math.min(e.tokenHoldNanos(), hurry / 2));
            }
            if (window != null || personal != null) {
                int g = window != null ? window : e.globalWindowMessages();
                e = e.withWindows(g, personal != null ? personal : Math.min(g, e.personalWindowMessages()));
            }
        } catch (IllegalArgumentException ex) {
            throw err(file, 0, "the timeouts or windows do not fit together: " + ex.getMessage());
        }
        NetworkConfig net = new NetworkConfig(daemons, NetworkConfig.DEFAULT_MTU, multicast, null, file.toString());
        e = e.withMaxDatagramBytes(net.maxDatagramBytes());
        // Spread clients connect on the segment port: they share it with Consort's own clients.
        return new DaemonConfigFile.Parsed(base.withPort(clientPort).withEngine(e)
                .withSpreadPort(DaemonOptions.SPREAD_ON_CLIENT_PORT), net);
    }

    private static long number(Path file, int line, String key, String value) {
        try {
            long v = Long.parseLong(value);
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw err(file, line, key + " must be a positive whole number, was '" + value + "'");
        }
    }

    private static DaemonConfigFile.ConfigException err(Path file, int line, String problem) {
        return new DaemonConfigFile.ConfigException(file + ":" + line + ": " + problem);
    }
}

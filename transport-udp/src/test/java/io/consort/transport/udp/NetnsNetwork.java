package io.consort.transport.udp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A small multi-host network made of Linux network namespaces, for tests. Each daemon host is a
 * namespace {@code consort-<pid>x<k>-d<i>} with one interface, {@code eth0}, at
 * {@code 10.77.<n>.<i>/24}. The other end of each host's veth is a port of a bridge that lives in
 * a namespace of its own ({@code consort-<pid>x<k>-br}), so the host's own firewall (and
 * br_netfilter's calls into it) never sees the test's traffic. One more veth joins the root
 * namespace to that bridge ({@code cn<pid>x<k>}, at {@code 10.77.<n>.254}): the test JVM and its
 * clients stay in the root namespace and reach each daemon's client port at its host address.
 *
 * <p>Faults are made inside the daemon hosts' namespaces, on daemon-to-daemon UDP only, so the
 * clients' TCP connections are untouched: partitions and one-way failures with iptables DROP
 * rules; packet loss with tc netem on each host's eth0 where the kernel has netem, else with
 * iptables' statistic match (random DROP of the same fraction of outgoing UDP datagrams). Every
 * rule lives in a namespace the test owns, so removing the namespaces removes the rules.
 *
 * <p>{@link #close()} kills nothing; stop the processes first. It deletes the namespaces (which
 * takes the veths and the bridge with them); a JVM shutdown hook does the same if the test run
 * dies, and a new network first removes namespaces left by test JVMs that are gone.
 */
final class NetnsNetwork implements AutoCloseable {
    private static final Pattern OURS = Pattern.compile("consort-(\\d+)x\\d+-(?:br|d\\d+)");
    private static final Pattern OUR_LINK = Pattern.compile("\\d+: (cn(\\d+)x\\d+)@");
    private static final AtomicInteger NETWORKS = new AtomicInteger();
    static final int DAEMON_PORT = 4903;
    static final int CLIENT_PORT = 4803;

    private final String tag;
    private final String bridgeNs;
    private final String rootLink;
    private final String subnet;
    private final Map<Integer, String> namespaces = new TreeMap<>();
    private final Thread cleanupHook;
    /** How packet loss is made on this machine: "netem" or "iptables-statistic". */
    private String lossMethod = "none";
    private boolean closed;

    /**
     * Skips the calling test (JUnit assumption) unless this machine can make network namespaces:
     * Linux, root, ip and iptables on the PATH, and a probe namespace that can be added and removed.
     */
    static void assumeAvailable() {
        Assumptions.assumeTrue(System.getProperty("os.name", "").toLowerCase().contains("linux"),
                "network-namespace tests need Linux; skipped on " + System.getProperty("os.name"));
        Assumptions.assumeTrue(isRoot(), "network-namespace tests need root (ip netns, iptables); skipped as uid "
                + uid());
        Assumptions.assumeTrue(onPath("ip"), "network-namespace tests need iproute2's 'ip' on the PATH; skipped");
        Assumptions.assumeTrue(onPath("iptables"), "network-namespace tests need 'iptables' on the PATH; skipped");
        String probe = "consort-" + ProcessHandle.current().pid() + "x0-probe";
        Result add = run("ip", "netns", "add", probe);
        run("ip", "netns", "del", probe);
        Assumptions.assumeTrue(add.ok(), "this machine cannot make network namespaces (ip netns add: "
                + add.output().strip() + "); skipped");
    }

    /** A network of {@code hosts} daemon hosts, d1 to d{@code hosts}. */
    NetnsNetwork(int hosts) {
        removeStale();
        long pid = ProcessHandle.current().pid();
        int k = NETWORKS.incrementAndGet();
        this.tag = pid + "x" + k;
        this.bridgeNs = "consort-" + tag + "-br";
        this.rootLink = "cn" + tag;
        if (rootLink.length() > 15) {
            throw new IllegalStateException("interface name too long: " + rootLink);
        }
        this.subnet = freeSubnet();
        this.cleanupHook = new Thread(this::removeAll, "netns-cleanup-" + tag);
        Runtime.getRuntime().addShutdownHook(cleanupHook);
        try {
            must("ip", "netns", "add", bridgeNs);
            must("ip", "-n", bridgeNs, "link", "add", "br0", "type", "bridge");
            must("ip", "-n", bridgeNs, "link", "set", "br0", "up");
            must("ip", "-n", bridgeNs, "link", "set", "lo", "up");
            for (int i = 1; i <= hosts; i++) {
                String ns = "consort-" + tag + "-d" + i;
                must("ip", "netns", "add", ns);
                namespaces.put(i, ns);
                must("ip", "-n", bridgeNs, "link", "add", "p" + i, "type", "veth", "peer", "name", "eth0",
                        "netns", ns);
                must("ip", "-n", bridgeNs, "link", "set", "p" + i, "master", "br0", "up");
                must("ip", "-n", ns, "addr", "add", address(i) + "/24", "dev", "eth0");
                must("ip", "-n", ns, "link", "set", "eth0", "up");
                must("ip", "-n", ns, "link", "set", "lo", "up");
            }
            must("ip", "link", "add", rootLink, "type", "veth", "peer", "name", "root0", "netns", bridgeNs);
            must("ip", "-n", bridgeNs, "link", "set", "root0", "master", "br0", "up");
            must("ip", "addr", "add", subnet + "254/24", "dev", rootLink);
            must("ip", "link", "set", rootLink, "up");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Daemon host {@code i}'s address. */
    String address(int i) {
        return subnet + i;
    }

    /** The daemon hosts' numbers, 1 to n. */
    java.util.Set<Integer> hosts() {
        return java.util.Collections.unmodifiableSet(namespaces.keySet());
    }

    /** The daemons' UDP addresses, for the configuration. */
    Map<Integer, InetSocketAddress> daemonAddresses() {
        Map<Integer, InetSocketAddress> m = new TreeMap<>();
        for (int i : namespaces.keySet()) {
            try {
                m.put(i, new InetSocketAddress(InetAddress.getByName(address(i)), DAEMON_PORT));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return m;
    }

    /** The command prefix that runs a program in host {@code i}'s namespace. */
    List<String> exec(int i) {
        return List.of(tool("ip"), "netns", "exec", namespaces.get(i));
    }

    /** Consortd's arguments for host {@code i}: clients on its host address, fixed port. */
    List<String> daemonArgs(int i) {
        // Off loopback without TLS for clients: consortd starts only when told --insecure (docs/SECURITY.md).
        return List.of("--host", address(i), "--port", String.valueOf(CLIENT_PORT), "--insecure");
    }

    /** Cuts daemon-to-daemon UDP between every host of {@code a} and every host of {@code b}, both ways. */
    void partition(Collection<Integer> a, Collection<Integer> b) {
        for (int x : a) {
            for (int y : b) {
                dropFrom(y, x);
                dropFrom(x, y);
            }
        }
    }

    /** Host {@code to} no longer receives daemon UDP from host {@code from}; the other way still works. */
    void dropFrom(int from, int to) {
        iptables(to, "-A", "INPUT", "-p", "udp", "-s", address(from), "-j", "DROP");
    }

    /** Undoes one {@link #dropFrom} (one rule; the same cut made twice needs two). */
    void undropFrom(int from, int to) {
        iptables(to, "-D", "INPUT", "-p", "udp", "-s", address(from), "-j", "DROP");
    }

    /** Removes every partition and one-way rule (the loss stays). */
    void heal() {
        for (int i : namespaces.keySet()) {
            iptables(i, "-F", "INPUT");
        }
    }

    /**
     * Loses {@code percent} % of the datagrams each host sends: tc netem on its eth0 where the
     * kernel has it, else iptables' statistic match on its outgoing UDP. Returns the method used.
     */
    String loss(double percent) {
        for (int i : namespaces.keySet()) {
            run("ip", "netns", "exec", namespaces.get(i), tool("tc"), "qdisc", "del", "dev", "eth0", "root");
            iptables(i, "-F", "OUTPUT");
        }
        if (percent <= 0) {
            return lossMethod = "none";
        }
        boolean netem = onPath("tc");
        for (int i : namespaces.keySet()) {
            if (netem) {
                Result r = run("ip", "netns", "exec", namespaces.get(i), tool("tc"), "qdisc", "add", "dev", "eth0", "root",
                        "netem", "loss", percent + "%");
                if (!r.ok()) {
                    netem = false; // e.g. "Specified qdisc kind is unknown": the kernel has no sch_netem
                    for (int j : namespaces.keySet()) {
                        run("ip", "netns", "exec", namespaces.get(j), tool("tc"), "qdisc", "del", "dev", "eth0", "root");
                    }
                    System.out.println("netns: tc netem unavailable (" + r.output().strip()
                            + "); losing datagrams with iptables -m statistic instead");
                    break;
                }
            }
        }
        if (!netem) {
            for (int i : namespaces.keySet()) {
                iptables(i, "-A", "OUTPUT", "-p", "udp", "-m", "statistic", "--mode", "random", "--probability",
                        String.valueOf(percent / 100.0), "-j", "DROP");
            }
        }
        return lossMethod = netem ? "netem" : "iptables-statistic";
    }

    /** The packet counters of host {@code i}'s DROP rules, for the record. */
    String counters(int i) {
        return run("ip", "netns", "exec", namespaces.get(i), tool("iptables"), "-L", "-v", "-n", "-x").output();
    }

    private void iptables(int host, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespaces.get(host), tool("iptables"), "-w"));
        cmd.addAll(List.of(args));
        must(cmd.toArray(String[]::new));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        removeAll();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException e) {
            // shutting down already
        }
    }

    private void removeAll() {
        for (String ns : namespaces.values()) {
            run("ip", "netns", "del", ns);
        }
        run("ip", "netns", "del", bridgeNs);
        run("ip", "link", "del", rootLink); // gone with its peer already, normally
    }

    /** Removes namespaces and links left by test JVMs that are no longer running. */
    private static void removeStale() {
        for (String line : run("ip", "netns", "list").output().split("\n")) {
            String name = line.strip().split(" ")[0];
            Matcher m = OURS.matcher(name);
            if (m.matches() && !alive(Long.parseLong(m.group(1)))) {
                run("ip", "netns", "del", name);
            }
        }
        Matcher m = OUR_LINK.matcher(run("ip", "-o", "link", "show").output());
        while (m.find()) {
            if (!alive(Long.parseLong(m.group(2)))) {
                run("ip", "link", "del", m.group(1));
            }
        }
    }

    private static boolean alive(long pid) {
        return pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** 10.77.n. with the first n that no interface of the root namespace uses. */
    private static String freeSubnet() {
        String addrs = run("ip", "-o", "-4", "addr", "show").output();
        for (int n = 0; n < 256; n++) {
            String s = "10.77." + n + ".";
            if (!addrs.contains(" " + s)) {
                return s;
            }
        }
        throw new IllegalStateException("no free 10.77.n.0/24 subnet");
    }

    record Result(int code, String output) {
        boolean ok() {
            return code == 0;
        }
    }

    static Result run(String... cmd) {
        try {
            String[] c = cmd.clone();
            c[0] = tool(c[0]);
            Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, out + " (timed out)");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, e.toString());
        }
    }

    private static void must(String... cmd) {
        Result r = run(cmd);
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (" + r.code() + "): " + r.output());
        }
    }

    private static boolean onPath(String program) {
        return !tool(program).equals(program);
    }

    /** The absolute path of {@code program} on the PATH or in the sbin directories, else the name itself. */
    static String tool(String program) {
        if (program.startsWith("/")) {
            return program;
        }
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Path.of(dir, program).toString();
            }
        }
        return program;
    }

    private static String uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1];
                }
            }
        } catch (IOException e) {
            // not Linux's /proc
        }
        return "?";
    }

    private static boolean isRoot() {
        return "0".equals(uid());
    }
}

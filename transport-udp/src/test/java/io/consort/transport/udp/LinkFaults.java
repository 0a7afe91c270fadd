package io.consort.transport.udp;

import java.util.ArrayList;
import java.util.List;

/**
 * Impairs what one host of a {@link NetnsNetwork} sends to the other daemons: loss, duplication,
 * delay and reordering, for the nemesis. Where the kernel has {@code sch_netem}, one netem qdisc
 * on the host's eth0 does all four. Where it has not (as on the machine this was written on), the
 * same faults are made with what is there:
 * <ul>
 * <li>loss: iptables' statistic match DROPs that fraction of the host's outgoing daemon UDP;
 * <li>duplication: iptables' TEE target clones that fraction of the datagrams to each peer;
 * <li>delay and reordering: a random fraction of the datagrams is marked (DSCP 8) and an htb
 *     class with a low rate, selected by a u32 filter on that mark, queues them behind each other
 *     while the unmarked ones pass: the marked ones arrive late (queueing delay, up to the lane's
 *     queue of 64 datagrams) and after later unmarked ones. A fraction of 100 delays everything.
 * </ul>
 * Client TCP is untouched by the fallback (it matches UDP only); netem shapes all of eth0. Every
 * rule and qdisc lives in the host's namespace, so deleting the namespaces removes them too.
 *
 * <pre>{@code
 * LinkFaults links = new LinkFaults(net);
 * links.apply(2, new LinkFaults.Impairment(20, 5, 400, 30));  // d2: 20 % loss, 5 % dup, slow lane for 30 %
 * links.clear(2);
 * }</pre>
 */
final class LinkFaults {
    /**
     * What to do to a host's outgoing datagrams.
     *
     * @param lossPercent      0 to 100, datagrams dropped
     * @param duplicatePercent 0 to 100, datagrams sent twice
     * @param slowLaneKbit     the slow lane's rate (netem: the delay in ms is 400000 / this)
     * @param reorderPercent   0 to 100, datagrams sent through the slow lane (late, hence reordered)
     */
    record Impairment(int lossPercent, int duplicatePercent, int slowLaneKbit, int reorderPercent) {
        Impairment {
            if (lossPercent < 0 || lossPercent > 100 || duplicatePercent < 0 || duplicatePercent > 100
                    || reorderPercent < 0 || reorderPercent > 100 || slowLaneKbit <= 0) {
                throw new IllegalArgumentException("impairment out of range: " + this);
            }
        }

        @Override
        public String toString() {
            return "loss " + lossPercent + "% dup " + duplicatePercent + "% slow lane " + reorderPercent + "% at "
                    + slowLaneKbit + " kbit/s";
        }
    }

    private final NetnsNetwork net;
    private final boolean netem;

    LinkFaults(NetnsNetwork net) {
        this.net = net;
        NetnsNetwork.Result probe = tc(1, "qdisc", "add", "dev", "eth0", "root", "netem", "delay", "1ms");
        tc(1, "qdisc", "del", "dev", "eth0", "root");
        this.netem = probe.ok();
        for (int host : net.hosts()) {
            must(iptables(host, "-N", "NEMESIS"));
            must(iptables(host, "-A", "OUTPUT", "-j", "NEMESIS"));
            must(iptables(host, "-t", "mangle", "-N", "NEMESIS"));
            must(iptables(host, "-t", "mangle", "-A", "POSTROUTING", "-j", "NEMESIS"));
        }
    }

    /** "netem", or "iptables+htb" where the kernel has no netem. */
    String method() {
        return netem ? "netem" : "iptables+htb";
    }

    /** Replaces whatever impairment host {@code host} had with {@code imp}. */
    synchronized void apply(int host, Impairment imp) {
        clear(host);
        if (netem) {
            int delayMs = Math.max(1, 400_000 / imp.slowLaneKbit());
            List<String> args = new ArrayList<>(List.of("qdisc", "add", "dev", "eth0", "root", "netem",
                    "loss", imp.lossPercent() + "%", "duplicate", imp.duplicatePercent() + "%",
                    "delay", delayMs + "ms", (delayMs / 2 + 1) + "ms"));
            if (imp.reorderPercent() > 0) {
                args.addAll(List.of("reorder", (100 - imp.reorderPercent()) + "%", "50%"));
            }
            must(tc(host, args.toArray(String[]::new)));
            return;
        }
        if (imp.lossPercent() > 0) {
            must(iptables(host, "-A", "NEMESIS", "-p", "udp", "-m", "statistic", "--mode", "random",
                    "--probability", String.valueOf(imp.lossPercent() / 100.0), "-j", "DROP"));
        }
        if (imp.duplicatePercent() > 0) {
            for (int peer : net.hosts()) {
                if (peer != host) {
                    must(iptables(host, "-t", "mangle", "-A", "NEMESIS", "-p", "udp", "-d", net.address(peer),
                            "-m", "statistic", "--mode", "random", "--probability",
                            String.valueOf(imp.duplicatePercent() / 100.0), "-j", "TEE", "--gateway",
                            net.address(peer)));
                }
            }
        }
        if (imp.reorderPercent() > 0) {
            must(iptables(host, "-t", "mangle", "-A", "NEMESIS", "-p", "udp", "-m", "statistic", "--mode", "random",
                    "--probability", String.valueOf(imp.reorderPercent() / 100.0), "-j", "DSCP", "--set-dscp", "8"));
            must(tc(host, "qdisc", "add", "dev", "eth0", "root", "handle", "1:", "htb", "default", "10", "r2q", "1000"));
            must(tc(host, "class", "add", "dev", "eth0", "parent", "1:", "classid", "1:10", "htb", "rate", "10gbit"));
            must(tc(host, "class", "add", "dev", "eth0", "parent", "1:", "classid", "1:20", "htb",
                    "rate", imp.slowLaneKbit() + "kbit", "ceil", imp.slowLaneKbit() + "kbit"));
            must(tc(host, "qdisc", "add", "dev", "eth0", "parent", "1:20", "handle", "20:", "pfifo", "limit", "64"));
            must(tc(host, "filter", "add", "dev", "eth0", "parent", "1:", "protocol", "ip", "prio", "1", "u32",
                    "match", "ip", "tos", "0x20", "0xfc", "flowid", "1:20"));
        }
    }

    /** Host {@code host} sends unimpaired again. */
    synchronized void clear(int host) {
        if (!netem) {
            // What the rules did, before they go: proof that the faults hit real datagrams.
            count(iptables(host, "-L", "NEMESIS", "-v", "-n", "-x").output());
            count(iptables(host, "-t", "mangle", "-L", "NEMESIS", "-v", "-n", "-x").output());
        }
        tc(host, "qdisc", "del", "dev", "eth0", "root"); // fails when there is none: fine
        must(iptables(host, "-F", "NEMESIS"));
        must(iptables(host, "-t", "mangle", "-F", "NEMESIS"));
    }

    private long dropped;
    private long duplicated;
    private long slowed;

    private void count(String listing) {
        for (String line : listing.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length > 2 && f[0].matches("\\d+")) {
                long packets = Long.parseLong(f[0]);
                switch (f[2]) {
                    case "DROP" -> dropped += packets;
                    case "TEE" -> duplicated += packets;
                    case "DSCP" -> slowed += packets;
                    default -> { }
                }
            }
        }
    }

    /** What the fallback's rules did so far, as text ("" under netem, whose counters are not read). */
    synchronized String effect() {
        return netem ? "" : dropped + " datagrams dropped, " + duplicated + " duplicated, " + slowed
                + " through the slow lane";
    }

    /** Every host unimpaired. */
    synchronized void clearAll() {
        for (int host : net.hosts()) {
            clear(host);
        }
    }

    private NetnsNetwork.Result tc(int host, String... args) {
        List<String> cmd = new ArrayList<>(net.exec(host));
        cmd.add(NetnsNetwork.tool("tc"));
        cmd.addAll(List.of(args));
        return NetnsNetwork.run(cmd.toArray(String[]::new));
    }

    private NetnsNetwork.Result iptables(int host, String... args) {
        List<String> cmd = new ArrayList<>(net.exec(host));
        cmd.addAll(List.of(NetnsNetwork.tool("iptables"), "-w"));
        cmd.addAll(List.of(args));
        return NetnsNetwork.run(cmd.toArray(String[]::new));
    }

    private static void must(NetnsNetwork.Result r) {
        if (!r.ok()) {
            throw new IllegalStateException("link fault command failed: " + r.output());
        }
    }
}

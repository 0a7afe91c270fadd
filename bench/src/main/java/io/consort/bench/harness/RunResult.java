package io.consort.bench.harness;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One run of one system: its receivers' result lines reduced to the figures the harness reports.
 * Throughput is the slowest receiver's; latency percentiles the worst receiver's. CPU per message is
 * the CPU time of every process of the run (daemons, senders, receivers) over the measured window,
 * divided by the messages one receiver got in it; NaN where it was not measured.
 */
record RunResult(String system, int daemons, int sizeBytes, long rate, int round, double msgsPerSecond,
        double mbPerSecond, double p50Micros, double p99Micros, double p999Micros, double maxMicros, boolean ok,
        String problem, double cpuMicrosPerMessage) {

    static final String CSV_HEADER = "system,daemons,size_bytes,rate,round,msgs_per_s,mb_per_s,p50_us,p99_us,"
            + "p999_us,max_us,ok,load1,cpu_us_per_msg";

    static Map<String, String> parse(String line) {
        Map<String, String> kv = new HashMap<>();
        for (String part : line.split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                kv.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return kv;
    }

    static RunResult of(String system, int daemons, int size, long rate, int round, List<String> resultLines) {
        return of(system, daemons, size, rate, round, resultLines, true);
    }

    /**
     * {@code totalOrder}: the system promises every member the same delivery order, so the members'
     * digests must agree (false only for JGroups without SEQUENCER and several senders, where each
     * member may interleave the senders differently; FIFO per sender is still checked).
     */
    static RunResult of(String system, int daemons, int size, long rate, int round, List<String> resultLines,
            boolean totalOrder) {
        double msgs = Double.MAX_VALUE;
        double mb = Double.MAX_VALUE;
        double p50 = 0;
        double p99 = 0;
        double p999 = 0;
        double max = 0;
        String digest = null;
        StringBuilder problem = new StringBuilder();
        for (String line : resultLines) {
            Map<String, String> kv = parse(line);
            if (!"0".equals(kv.get("missing")) || !"-".equals(kv.get("error"))) {
                problem.append(" member ").append(kv.get("member")).append(": missing=").append(kv.get("missing"))
                        .append(" error=").append(kv.get("error"));
                String changes = kv.get("config_changes");
                if (changes != null && !"0".equals(changes)) {
                    problem.append(" after ").append(changes).append(" configuration change(s), which EVS allows gaps at");
                }
            }
            if (digest == null) {
                digest = kv.get("digest");
            } else if (totalOrder && !digest.equals(kv.get("digest"))) {
                problem.append(" digest mismatch (").append(digest).append(" vs ").append(kv.get("digest"))
                        .append(')');
            }
            msgs = Math.min(msgs, num(kv, "msgs_per_s"));
            mb = Math.min(mb, num(kv, "mb_per_s"));
            p50 = Math.max(p50, num(kv, "p50_us"));
            p99 = Math.max(p99, num(kv, "p99_us"));
            p999 = Math.max(p999, num(kv, "p999_us"));
            max = Math.max(max, num(kv, "max_us"));
        }
        if (resultLines.isEmpty()) {
            problem.append(" no result");
            msgs = 0;
            mb = 0;
        }
        return new RunResult(system, daemons, size, rate, round, msgs, mb, p50, p99, p999, max,
                problem.length() == 0, problem.toString().trim(), Double.NaN);
    }

    private static double num(Map<String, String> kv, String key) {
        String v = kv.get(key);
        return v == null ? 0 : Double.parseDouble(v);
    }

    static RunResult failed(String system, int daemons, int size, long rate, int round, String why) {
        return new RunResult(system, daemons, size, rate, round, 0, 0, 0, 0, 0, 0, false, why, Double.NaN);
    }

    /** This result with its CPU per message. */
    RunResult withCpu(double microsPerMessage) {
        return new RunResult(system, daemons, sizeBytes, rate, round, msgsPerSecond, mbPerSecond, p50Micros,
                p99Micros, p999Micros, maxMicros, ok, problem, microsPerMessage);
    }

    /**
     * The measured window of a run's receivers, in {@code System.nanoTime()}: from the earliest first
     * measured message's stamp to the latest last arrival; null if a line lacks it.
     */
    static long @org.jspecify.annotations.Nullable [] window(List<String> resultLines) {
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (String line : resultLines) {
            Map<String, String> kv = parse(line);
            String s = kv.get("window_start_ns");
            String e = kv.get("window_end_ns");
            if (s == null || e == null) {
                return null;
            }
            start = Math.min(start, Long.parseLong(s));
            end = Math.max(end, Long.parseLong(e));
        }
        return resultLines.isEmpty() || end <= start ? null : new long[] {start, end};
    }

    String csv(double load) {
        return String.format(Locale.ROOT, "%s,%d,%d,%d,%d,%.0f,%.2f,%.1f,%.1f,%.1f,%.1f,%s,%.2f,%.2f", system, daemons,
                sizeBytes, rate, round, msgsPerSecond, mbPerSecond, p50Micros, p99Micros, p999Micros, maxMicros, ok,
                load, cpuMicrosPerMessage);
    }

    static RunResult fromCsv(String line) {
        String[] f = line.split(",");
        return new RunResult(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]),
                Integer.parseInt(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[7]),
                Double.parseDouble(f[8]), Double.parseDouble(f[9]), Double.parseDouble(f[10]),
                Boolean.parseBoolean(f[11]), "", f.length > 13 ? Double.parseDouble(f[13]) : Double.NaN);
    }

    /**
     * "consort" runs are labelled with their daemon count (a single-daemon figure is never mistaken for a
     * ring's), keeping any suffix: {@code consort-safe-3s} with three daemons is {@code consort-3d-safe-3s}.
     */
    String label() {
        return system.startsWith("consort") ? "consort-" + daemons + "d" + system.substring("consort".length())
                : system;
    }
}

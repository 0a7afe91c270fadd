package io.consort.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.Engine;
import io.consort.core.MessageEvent;
import io.consort.core.ServiceLevel;
import io.consort.core.ViewEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Data-driven scenarios on the simulator, as etcd-io/raft's interaction tests: each file of
 * {@code src/test/resources/testdata/} is a list of commands, each followed by {@code ----} and the
 * trace it must produce (phase changes, token visits, deliveries, views), ended by a blank line.
 * With {@code -Dconsort.rewrite=true} the files are rewritten with the traces as they come out;
 * review the diff.
 *
 * <p>Commands ({@code <d>} a daemon index, {@code <s>} a session name the scenario chooses):
 * <pre>
 * start 3 [initial=SEQ]        daemons 0..2, no faults, first sequence number SEQ
 * tick 400ms                   run the clock on
 * stabilize                    run until every live daemon is operational in one configuration (max 5 s)
 * connect a 0                  session a on daemon 0
 * join a g / leave a g         group membership
 * multicast a g[,h] SAFE [n]   n messages (default 1) at a service level
 * disconnect a
 * partition 0,1|2              links up within each side only; heal restores all
 * crash 1 / restart 1 / stop 1 a crash, a restart, a graceful stop
 * pause 1 200ms                daemon 1 stalls (reads nothing, runs no timer)
 * members                      each daemon's configuration
 * check                        SPEC.md's invariants over every session's log so far
 * </pre>
 */
class ScenarioTest {
    private static final Path DIR = Path.of("src/test/resources/testdata");

    @TestFactory
    Stream<DynamicTest> scenarios() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> runFile(f)));
    }

    private static void runFile(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        StringBuilder rewritten = new StringBuilder();
        Runner runner = new Runner();
        List<String> mismatches = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                rewritten.append(line).append('\n');
                i++;
                continue;
            }
            int at = i + 1;
            if (at >= lines.size() || !lines.get(at).equals("----")) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": a command must be followed by ----");
            }
            int end = at + 1;
            while (end < lines.size() && !lines.get(end).isEmpty()) {
                end++;
            }
            String expected = String.join("\n", lines.subList(at + 1, end));
            String actual = runner.run(line);
            if (!actual.equals(expected)) {
                mismatches.add(file.getFileName() + ":" + (i + 1) + ": " + line + "\n--- expected\n" + expected
                        + "\n--- actual\n" + actual);
            }
            rewritten.append(line).append("\n----\n");
            if (!actual.isEmpty()) {
                rewritten.append(actual).append('\n');
            }
            i = end;
            if (i < lines.size()) {
                rewritten.append('\n');
                i++; // the blank line that ends the block
            }
        }
        if (Boolean.getBoolean("consort.rewrite")) {
            Files.writeString(file, rewritten.toString(), StandardCharsets.UTF_8);
            return;
        }
        assertThat(mismatches).as("scenario %s (rewrite with -Dconsort.rewrite=true)", file).isEmpty();
    }

    /** Runs commands against one simulator and describes what each made happen. */
    static final class Runner {
        private Simulator sim;
        private final Map<String, Long> sessions = new LinkedHashMap<>();
        private final Map<String, String> aliasOf = new HashMap<>();
        private final Map<String, Integer> logged = new HashMap<>();
        private final List<String> trace = new ArrayList<>();
        private String[] lastPhase;
        private long tokensBefore;

        String run(String command) {
            String[] w = command.trim().split("\\s+");
            trace.clear();
            tokensBefore = sim == null ? 0 : sim.tokensReceived;
            String result = switch (w[0]) {
                case "start" -> start(w);
                case "tick" -> {
                    sim.runUntil(sim.now + duration(w[1]));
                    yield null;
                }
                case "stabilize" -> stabilize();
                case "connect" -> {
                    long id = sim.connect(Integer.parseInt(w[2]));
                    sessions.put(w[1], id);
                    aliasOf.put(sim.log(id).name, w[1]);
                    yield null;
                }
                case "join" -> {
                    sim.join(session(w[1]), w[2]);
                    yield null;
                }
                case "leave" -> {
                    sim.leave(session(w[1]), w[2]);
                    yield null;
                }
                case "multicast" -> multicast(w);
                case "disconnect" -> {
                    sim.disconnect(session(w[1]), true);
                    yield null;
                }
                case "partition" -> partition(w[1]);
                case "heal" -> {
                    sim.healNetwork();
                    yield null;
                }
                case "crash" -> {
                    sim.crash(Integer.parseInt(w[1]));
                    yield null;
                }
                case "restart" -> {
                    sim.restart(Integer.parseInt(w[1]));
                    yield null;
                }
                case "stop" -> {
                    sim.gracefulStop(Integer.parseInt(w[1]));
                    yield null;
                }
                case "pause" -> {
                    sim.pause(Integer.parseInt(w[1]), duration(w[2]));
                    yield null;
                }
                case "members" -> members();
                case "check" -> {
                    List<InvariantChecker.Violation> v = InvariantChecker.check(sim.logs, sim.sent);
                    yield v.isEmpty() ? "ok" : v.toString();
                }
                default -> throw new IllegalArgumentException("unknown command: " + command);
            };
            observe();
            List<String> out = new ArrayList<>(trace);
            long tokens = sim.tokensReceived - tokensBefore;
            if (tokens > 0) {
                out.add("tokens " + tokens);
            }
            out.addAll(sessionLines());
            if (result != null) {
                out.add(result);
            }
            return String.join("\n", out);
        }

        private String start(String[] w) {
            Simulator.Params p = new Simulator.Params();
            p.daemons = Integer.parseInt(w[1]);
            p.faults = false;
            for (int i = 2; i < w.length; i++) {
                if (w[i].startsWith("initial=")) {
                    p.initialSequence = Long.parseLong(w[i].substring("initial=".length()));
                }
            }
            sim = new Simulator(42, p);
            lastPhase = new String[p.daemons];
            Arrays.fill(lastPhase, "down");
            sim.afterEvent = this::observe;
            sim.startAll();
            return null;
        }

        private long session(String alias) {
            Long id = sessions.get(alias);
            if (id == null) {
                throw new IllegalArgumentException("no session " + alias);
            }
            return id;
        }

        private String multicast(String[] w) {
            ServiceLevel level = ServiceLevel.valueOf(w[3]);
            int n = w.length > 4 ? Integer.parseInt(w[4]) : 1;
            List<String> groups = List.of(w[2].split(","));
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ids.add(sim.multicast(session(w[1]), groups, level, false, 16));
            }
            return "sent " + ids;
        }

        private String partition(String spec) {
            int[] side = new int[sim.daemons()];
            String[] parts = spec.split("\\|");
            for (int s = 0; s < parts.length; s++) {
                for (String d : parts[s].split(",")) {
                    side[Integer.parseInt(d)] = s;
                }
            }
            sim.partition(side);
            return null;
        }

        private String stabilize() {
            long start = sim.now;
            for (long t = start; t < start + 5_000 * Simulator.MS; t += Simulator.MS) {
                sim.runUntil(t);
                if (stable()) {
                    return "stable after " + (sim.now - start) / Simulator.MS + "ms";
                }
            }
            return "NOT stable after 5000ms";
        }

        private boolean stable() {
            List<Integer> live = new ArrayList<>();
            for (int d = 0; d < sim.daemons(); d++) {
                if (sim.engine(d) != null && !sim.stopping(d)) {
                    live.add(d);
                }
            }
            for (int d : live) {
                Engine e = sim.engine(d);
                if (!e.configurationMembers().equals(live) || !e.groupsStable()) {
                    return false;
                }
            }
            return true;
        }

        private String members() {
            List<String> out = new ArrayList<>();
            for (int d = 0; d < sim.daemons(); d++) {
                Engine e = sim.engine(d);
                out.add("d" + d + " " + (e == null ? "down" : e.configurationMembers().toString()));
            }
            return String.join("\n", out);
        }

        /** Records each daemon's phase changes, as they happen. */
        private void observe() {
            for (int d = 0; d < sim.daemons(); d++) {
                Engine e = sim.engine(d);
                String phase = e == null ? "down" : e.ringDescription().split(" ")[1];
                if (phase.equals("OPERATIONAL")) {
                    phase += " " + e.configurationMembers();
                }
                if (!phase.equals(lastPhase[d])) {
                    lastPhase[d] = phase;
                    trace.add(String.format("%.1fms d%d %s", sim.now / 1e6, d, phase));
                }
            }
        }

        /** What every session received since the last command, session by session. */
        private List<String> sessionLines() {
            List<String> out = new ArrayList<>();
            for (SessionLog log : sim.logs) {
                int from = logged.getOrDefault(log.name, 0);
                String who = aliasOf.getOrDefault(log.name, log.name);
                for (SessionLog.Entry e : log.entries.subList(from, log.entries.size())) {
                    if (e instanceof SessionLog.Delivered d) {
                        MessageEvent m = d.event();
                        out.add(who + ": msg " + d.msgId() + " " + m.level() + " " + m.groups() + " from "
                                + aliasOf.getOrDefault(m.sender(), m.sender()));
                    } else if (e instanceof SessionLog.View v) {
                        ViewEvent ve = v.view();
                        out.add(who + ": view " + ve.group() + " " + ve.cause() + " " + names(ve.members())
                                + (ve.changed().isEmpty() ? "" : " changed " + names(ve.changed()))
                                + (ve.vsSet().isEmpty() ? "" : " vs " + names(ve.vsSet()))
                                + (ve.selfLeave() ? " (own leave)" : ""));
                    } else if (e instanceof SessionLog.Transitional t) {
                        out.add(who + ": transitional " + t.signal().group());
                    }
                }
                logged.put(log.name, log.entries.size());
                if (log.end != SessionLog.End.ALIVE && !logged.containsKey(log.name + "/end")) {
                    logged.put(log.name + "/end", 1);
                    out.add(who + ": " + log.end);
                }
            }
            return out;
        }

        private List<String> names(List<String> privateNames) {
            return privateNames.stream().map(n -> aliasOf.getOrDefault(n, n)).toList();
        }

        private static long duration(String s) {
            if (s.endsWith("ms")) {
                return Long.parseLong(s.substring(0, s.length() - 2)) * Simulator.MS;
            }
            if (s.endsWith("s")) {
                return Long.parseLong(s.substring(0, s.length() - 1)) * 1000 * Simulator.MS;
            }
            throw new IllegalArgumentException("duration " + s + ": say 400ms or 2s");
        }
    }
}

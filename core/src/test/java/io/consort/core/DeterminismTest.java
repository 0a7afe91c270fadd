package io.consort.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.EngineConfig.SlowConsumerPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same inputs give the same outputs, bit for bit; and a seeded random workload keeps the
 * single-daemon invariants of SPEC.md (no duplication, view agreement, one order, nothing after close).
 */
class DeterminismTest {
    private static final String[] GROUPS = {"g0", "g1", "g2", "g3"};

    /** Runs a seeded random workload on a fresh engine; the harness holds everything it produced. */
    static EngineHarness run(long seed, SlowConsumerPolicy policy) {
        EngineConfig config = EngineConfig.defaults().withSeed(seed).withSessionBufferBytesMax(16 * 1024)
                .withSendWindowMessages(8).withMaxMessageBytes(3000).withSlowConsumerPolicy(policy);
        EngineHarness h = new EngineHarness(config);
        Random r = new Random(seed);
        Set<Long> live = new HashSet<>();
        long nextId = 1;
        for (int step = 0; step < 3000; step++) {
            int op = r.nextInt(100);
            List<Long> sessions = new ArrayList<>(live);
            sessions.sort(null);
            if (op < 5 || sessions.isEmpty()) {
                long id = nextId++;
                List<Output> out = h.connect(id, "u" + r.nextInt(8));
                if (!out.isEmpty() && out.get(0) instanceof Output.SessionAccepted) {
                    live.add(id);
                    h.subscribe(id, 1, StreamFilter.all());
                    // most read freely, some only a little at a time
                    h.credit(id, 1, r.nextInt(4) == 0 ? 5 : Long.MAX_VALUE);
                }
                continue;
            }
            long s = sessions.get(r.nextInt(sessions.size()));
            String group = GROUPS[r.nextInt(GROUPS.length)];
            if (op < 25) {
                h.join(s, group);
            } else if (op < 32) {
                h.leave(s, group);
            } else if (op < 80) {
                if (h.sendCredits(s) <= 0) {
                    continue;
                }
                List<String> dest = new ArrayList<>();
                int n = 1 + r.nextInt(3);
                for (int i = 0; i < n; i++) {
                    dest.add(r.nextInt(6) == 0 ? "#u" + r.nextInt(8) + "#localhost" : GROUPS[r.nextInt(GROUPS.length)]);
                }
                byte[] payload = new byte[r.nextInt(20) == 0 ? 3001 : r.nextInt(600)];
                r.nextBytes(payload);
                h.send(s, dest, ServiceLevel.fromCode(r.nextInt(6)), r.nextInt(5) == 0, r.nextInt(0x10000), payload);
            } else if (op < 88) {
                h.credit(s, 1, 1 + r.nextInt(20));
            } else if (op < 94) {
                h.writable(s, r.nextBoolean());
            } else {
                h.disconnect(s, r.nextBoolean());
                live.remove(s);
            }
            // the engine may have closed sessions itself
            for (Output.CloseSession c : h.closes()) {
                live.remove(c.sessionId());
            }
        }
        return h;
    }

    static List<String> render(List<Output> outputs) {
        HexFormat hex = HexFormat.of();
        List<String> lines = new ArrayList<>();
        for (Output o : outputs) {
            if (o instanceof Output.Deliver d && d.event() instanceof MessageEvent m) {
                lines.add("Deliver " + d.sessionId() + "/" + d.streamId() + " seq=" + m.sequence() + " from="
                        + m.sender() + " to=" + m.groups() + " " + m.level() + " type=" + m.type() + " "
                        + hex.formatHex(m.payload()));
            } else {
                lines.add(o.toString());
            }
        }
        return lines;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234567})
    void sameInputsGiveIdenticalOutputs(long seed) {
        for (SlowConsumerPolicy policy : SlowConsumerPolicy.values()) {
            List<String> first = render(run(seed, policy).log());
            List<String> second = render(run(seed, policy).log());
            assertThat(first).hasSizeGreaterThan(1000);
            assertThat(second).isEqualTo(first);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234567})
    void randomWorkloadKeepsTheSingleDaemonInvariants(long seed) {
        for (SlowConsumerPolicy policy : SlowConsumerPolicy.values()) {
            EngineHarness h = run(seed, policy);
            h.assertNothingAfterClose();
            Map<String, ViewEvent> viewsById = new HashMap<>();
            Map<Long, Long> lastSequence = new HashMap<>();
            Map<Long, Set<String>> groupsLeft = new HashMap<>();
            for (Output o : h.log()) {
                if (!(o instanceof Output.Deliver d)) {
                    continue;
                }
                long s = d.sessionId();
                if (d.event() instanceof MessageEvent m) {
                    // one order, no duplicates: sequences strictly grow at each session
                    Long last = lastSequence.put(s, m.sequence());
                    assertThat(last == null || last < m.sequence()).as("session %d seq %d after %s", s,
                            m.sequence(), last).isTrue();
                    // nothing of a group after the session's own leave, unless it rejoined: checked by views below
                } else if (d.event() instanceof ViewEvent v) {
                    Set<String> left = groupsLeft.computeIfAbsent(s, k -> new HashSet<>());
                    if (v.selfLeave()) {
                        assertThat(v.members()).isEmpty();
                        assertThat(left.add(v.group())).as("two self-leaves without a join between").isTrue();
                        continue;
                    }
                    if (v.cause() == ViewCause.JOIN && v.changed().get(0).equals(selfName(h, s))) {
                        left.remove(v.group());
                    }
                    assertThat(left).as("session %d got a view of %s after leaving it", s, v.group())
                            .doesNotContain(v.group());
                    ViewEvent seen = viewsById.putIfAbsent(v.group() + "@" + v.id(), v);
                    if (seen != null) {
                        assertThat(v).as("view agreement").isEqualTo(seen);
                    }
                    assertThat(v.members()).contains(selfName(h, s)).doesNotHaveDuplicates();
                }
            }
            assertThat(h.engine.totalBufferedBytes()).isLessThanOrEqualTo(
                    h.engine.sessionCount() * (16 * 1024L + 64 * 1024));
        }
    }

    private static String selfName(EngineHarness h, long session) {
        for (Output o : h.outputsOf(session)) {
            if (o instanceof Output.SessionAccepted a) {
                return a.privateName();
            }
        }
        throw new AssertionError("session " + session + " was never accepted");
    }
}

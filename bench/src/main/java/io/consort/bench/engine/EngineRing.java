package io.consort.bench.engine;

import io.consort.core.Engine;
import io.consort.core.EngineConfig;
import io.consort.core.MessageEvent;
import io.consort.core.Output;
import io.consort.core.ServiceLevel;
import io.consort.core.StreamFilter;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * N clustered engines in one thread, with no I/O: every datagram an engine outputs is handed to
 * the other engines' {@link Engine#receiveDatagram} from one FIFO queue, and timers run on a fake
 * clock that only moves when the network is quiet (it jumps to the earliest deadline). The run is
 * therefore deterministic: the same calls give the same deliveries, bit for bit.
 *
 * <p>Each engine has one session, a member of one group, subscribed with unbounded credits. A
 * sending session multicasts while it holds send credits (the daemon's send window); the ring's
 * own flow control windows decide the rest. What is measured is the engine's work alone: encoding,
 * ordering, the token, group fan-out and the session layer's output.
 *
 * <pre>{@code
 * EngineRing ring = EngineRing.form(3, EngineConfig.defaults());
 * ring.flood(10_000, new int[] {0}, new byte[1024], ServiceLevel.AGREED);
 * }</pre>
 */
public final class EngineRing {
    /** The group every session joins. */
    public static final String GROUP = "bench";
    private static final long SESSION_ID = 1;
    /** A bound on driver steps for any one call, so a stuck ring fails instead of spinning. */
    private static final long MAX_STEPS = 500_000_000L;

    private record Datagram(int from, int to, byte[] bytes) {
    }

    private final Engine[] engines;
    private final long[] timerAt;
    private final long[] delivered;
    private final int[] sendCredits;
    private final long[] lastSequence;
    private final ArrayDeque<Datagram> network = new ArrayDeque<>();
    private final List<String> destination = List.of(GROUP);
    private long now;
    private long datagrams;
    private long datagramBytes;

    private EngineRing(int daemons, EngineConfig base) {
        engines = new Engine[daemons];
        timerAt = new long[daemons];
        delivered = new long[daemons];
        sendCredits = new int[daemons];
        lastSequence = new long[daemons];
        Arrays.fill(timerAt, Long.MAX_VALUE);
        for (int i = 0; i < daemons; i++) {
            engines[i] = new Engine(base.withClustered(true).withDaemonId(i).withDaemonName("d" + i)
                    .withIncarnation(1).withSeed(1000 + i));
        }
    }

    /**
     * Starts {@code daemons} engines, waits (in fake time) until they form one configuration of all
     * of them, then connects one session per engine and joins it to {@link #GROUP}.
     *
     * @throws IllegalStateException if the ring does not form within the step bound
     */
    public static EngineRing form(int daemons, EngineConfig base) {
        Objects.requireNonNull(base, "base");
        if (daemons < 2) {
            throw new IllegalArgumentException("a ring needs at least 2 daemons, not " + daemons);
        }
        EngineRing r = new EngineRing(daemons, base);
        for (int i = 0; i < daemons; i++) {
            r.engines[i].tick(r.now);
            r.perform(i);
        }
        r.runUntil(() -> {
            for (Engine e : r.engines) {
                if (e.configurationMembers().size() != daemons || !e.groupsStable()) {
                    return false;
                }
            }
            return true;
        }, "the ring to form");
        for (int i = 0; i < daemons; i++) {
            Engine e = r.engines[i];
            e.connect(SESSION_ID, "s" + i, r.now);
            e.subscribe(SESSION_ID, 1, StreamFilter.all(), r.now);
            e.credit(SESSION_ID, 1, Long.MAX_VALUE, r.now);
            e.join(SESSION_ID, 1, GROUP, r.now);
            r.perform(i);
        }
        r.runUntil(() -> {
            for (Engine e : r.engines) {
                if (e.members(GROUP).size() != daemons) {
                    return false;
                }
            }
            return true;
        }, "every session to join");
        return r;
    }

    /**
     * Multicasts {@code messages} copies of {@code payload} at {@code level}, spread evenly over the
     * sessions on the {@code senders} engines, and runs the ring until every engine delivered all of
     * them to its session. The payload array is shared by all messages (the engine never changes it).
     *
     * @return the messages delivered at each daemon in this call (equal to {@code messages})
     */
    public long flood(long messages, int[] senders, byte[] payload, ServiceLevel level) {
        long[] target = new long[engines.length];
        for (int i = 0; i < engines.length; i++) {
            target[i] = delivered[i] + messages;
        }
        long[] toSend = new long[engines.length];
        for (int k = 0; k < senders.length; k++) {
            toSend[senders[k]] += messages / senders.length + (k < messages % senders.length ? 1 : 0);
        }
        long steps = 0;
        while (true) {
            boolean done = true;
            for (int i = 0; i < engines.length; i++) {
                if (delivered[i] < target[i]) {
                    done = false;
                    break;
                }
            }
            if (done) {
                return messages;
            }
            for (int i = 0; i < engines.length; i++) {
                while (toSend[i] > 0 && sendCredits[i] > 0) {
                    sendCredits[i]--;
                    toSend[i]--;
                    engines[i].multicast(SESSION_ID, 0, destination, level, false, 1, payload, now);
                    perform(i);
                }
            }
            step();
            if (++steps > MAX_STEPS) {
                throw new IllegalStateException("flood did not finish in " + MAX_STEPS + " steps: delivered "
                        + Arrays.toString(delivered) + " of " + Arrays.toString(target));
            }
        }
    }

    /** Messages delivered so far to the session on engine {@code daemon}. */
    public long delivered(int daemon) {
        return delivered[daemon];
    }

    /** Datagrams passed between engines so far. */
    public long datagrams() {
        return datagrams;
    }

    /** Bytes of those datagrams. */
    public long datagramBytes() {
        return datagramBytes;
    }

    /** The fake clock, in nanoseconds since the ring started. */
    public long nowNanos() {
        return now;
    }

    private interface Condition {
        boolean holds();
    }

    private void runUntil(Condition c, String what) {
        for (long steps = 0; !c.holds(); steps++) {
            if (steps > 10_000_000) {
                throw new IllegalStateException("timed out (in steps) waiting for " + what);
            }
            step();
        }
    }

    /** One driver step: deliver the next datagram, or if none, fire the earliest timer (moving the clock to it). */
    private void step() {
        Datagram d = network.poll();
        if (d != null) {
            engines[d.to].receiveDatagram(d.from, d.bytes, now);
            perform(d.to);
            return;
        }
        int next = -1;
        for (int i = 0; i < engines.length; i++) {
            if (timerAt[i] != Long.MAX_VALUE && (next < 0 || timerAt[i] < timerAt[next])) {
                next = i;
            }
        }
        if (next < 0) {
            throw new IllegalStateException("the ring is silent: no datagram in flight and no timer set");
        }
        now = Math.max(now, timerAt[next]);
        timerAt[next] = Long.MAX_VALUE;
        engines[next].tick(now);
        perform(next);
    }

    private void perform(int i) {
        for (Output o : engines[i].takeOutputs()) {
            if (o instanceof Output.BroadcastDatagram b) {
                for (int to = 0; to < engines.length; to++) {
                    if (to != i) {
                        send(i, to, b.datagram());
                    }
                }
            } else if (o instanceof Output.SendDatagram s) {
                send(i, s.toDaemon(), s.datagram());
            } else if (o instanceof Output.SetTimer t) {
                timerAt[i] = t.deadlineNanos();
            } else if (o instanceof Output.Deliver d) {
                if (d.event() instanceof MessageEvent m) {
                    if (delivered[i] > 0 && m.sequence() - lastSequence[i] <= 0) {
                        throw new IllegalStateException("daemon " + i + " delivered " + m.sequence() + " after "
                                + lastSequence[i]);
                    }
                    lastSequence[i] = m.sequence();
                    delivered[i]++;
                }
            } else if (o instanceof Output.SessionAccepted a) {
                sendCredits[i] = a.sendCredits();
            } else if (o instanceof Output.SendCredit c) {
                sendCredits[i] += c.credits();
            } else if (o instanceof Output.CloseSession c) {
                throw new IllegalStateException("daemon " + i + " closed its session: " + c.code() + " " + c.reason());
            } else if (o instanceof Output.RequestFailed f) {
                throw new IllegalStateException("daemon " + i + " refused a request: " + f.code() + " " + f.reason());
            }
        }
    }

    private void send(int from, int to, byte[] bytes) {
        datagrams++;
        datagramBytes += bytes.length;
        network.add(new Datagram(from, to, bytes));
    }
}

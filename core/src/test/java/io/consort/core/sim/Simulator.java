package io.consort.core.sim;

import io.consort.core.WireVersions;
import io.consort.core.Engine;
import io.consort.core.Input;
import io.consort.core.InputRecording;
import io.consort.core.EngineConfig;
import io.consort.core.Event;
import io.consort.core.MessageEvent;
import io.consort.core.Output;
import io.consort.core.ServiceLevel;
import io.consort.core.StreamFilter;
import io.consort.core.TransitionalEvent;
import io.consort.core.ViewEvent;
import io.consort.core.wire.Header;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A deterministic simulation of a Consort daemon network: N engines in one thread, a virtual
 * clock, a network that loses, duplicates, delays (hence reorders) and partitions datagrams,
 * daemons that crash and restart, and clients that connect, join, leave, multicast at every
 * service level and disconnect. All randomness comes from one {@link SplittableRandom} seeded
 * with the run's seed, and events at the same instant run in the order they were scheduled, so
 * a seed replays bit for bit.
 *
 * <p>A run has three phases: chaos (faults and traffic), healing (all links up, crashed daemons
 * restarted, no loss, no traffic) and a final round (every member sends one message to each of its
 * groups, which must reach every member). Then every session's log is checked.
 */
final class Simulator {
    static final long MS = 1_000_000L;
    static final String[] GROUPS = {"g0", "g1", "g2"};

    /** What a run is like; drawn from the seed, or set by a scenario. */
    static final class Params {
        int daemons = 3;
        double loss;
        double duplication;
        long minDelayNanos = 50_000;
        long maxDelayNanos = 500_000;
        long chaosNanos = 3_000 * MS;
        long healNanos = 3_000 * MS;
        long finalNanos = 1_000 * MS;
        double faultsPerSecond = 2;
        double clientActionsPerSecond = 200;
        boolean faults = true;
        long initialSequence;
        int maxSessionsPerDaemon = 4;
        /** Random payloads are 8 to 8 + this many bytes. */
        int payloadExtraBytes = 24;
        /** The engines' largest datagram; smaller than a payload means fragments. */
        int maxDatagramBytes = EngineConfig.DEFAULT_MAX_DATAGRAM_BYTES;
        /** The engines' largest message payload. */
        int maxMessageBytes = EngineConfig.DEFAULT_MAX_MESSAGE_BYTES;
        /**
         * After convergence, members multicast at every level for this long, right up to the final
         * round; then the quiet period ({@link #finalNanos}) must deliver all of it everywhere.
         */
        long lastLoadNanos;
        /** The engines' accelerated-ring setting. */
        int acceleratedMessages = EngineConfig.defaults().acceleratedMessages();
        /**
         * Graceful stops (Engine.shutdown) during chaos, per second; 0 in the seeds' own draw, so
         * that every seed replays as before. Drawn from a stream of their own when set.
         */
        double gracefulStopsPerSecond;
        /** The engines' leave timeout; 0 for the default. */
        long leaveTimeoutNanos;
        /**
         * Daemon stalls per second of chaos (see {@link Simulator#pause}), each 10 to 300 ms long,
         * drawn from a random stream of their own. Off in {@link #random} so that every recorded
         * seed replays as it did; {@link #withStalls} turns them on.
         */
        double stallsPerSecond;
        /** The engines' send window in unordered payload bytes; 0 for the default. */
        long sendWindowBytes;
        /** The engines' minimum token rotation under light traffic; negative for the default. */
        long rotationMinNanos = -1;
        /**
         * Packets an adversary on the network injects per second of chaos (see {@link #withAdversary}):
         * replays of earlier packets, random forgeries and, if {@link #adversaryFlipsBits}, copies of
         * earlier packets with bits flipped. Drawn from a random stream of their own; off in
         * {@link #random}, so that every recorded seed replays as it did.
         */
        double adversaryPerSecond;
        /** Whether the adversary also flips bits of packets it saw (undetectable without a seal on the wire). */
        boolean adversaryFlipsBits;
        /** What travels between daemons: the engine's datagrams as they are, or sealed by a {@link Wire}. */
        Wire wire = Wire.PLAIN;

        static Params random(SplittableRandom r, long seed) {
            Params p = new Params();
            p.daemons = 2 + r.nextInt(6);
            p.loss = r.nextInt(3) == 0 ? 0 : r.nextDouble() * 0.05;
            p.duplication = r.nextInt(3) == 0 ? 0 : r.nextDouble() * 0.03;
            p.maxDelayNanos = p.minDelayNanos + 100_000 + r.nextLong(2_000_000);
            p.faultsPerSecond = r.nextDouble() * 3;
            p.clientActionsPerSecond = 50 + r.nextInt(300);
            p.initialSequence = r.nextInt(4) == 0 ? Long.MAX_VALUE - r.nextInt(200) : r.nextLong();
            // Drawn from a stream of their own, so that every seed drawn before these existed
            // replays its chaos exactly as it did (regression seeds keep their meaning).
            SplittableRandom extra = new SplittableRandom(seed * 0xBF58476D1CE4E5B9L + 99);
            if (extra.nextInt(8) == 0) {
                p.maxDatagramBytes = 512 + extra.nextInt(1024); // fragments: most payloads need 2 to 7
                p.payloadExtraBytes = 3000;
            }
            p.lastLoadNanos = extra.nextBoolean() ? (100 + extra.nextInt(400)) * MS : 0;
            return p;
        }

        /**
         * These parameters with an adversary injecting {@code perSecond} packets a second during the
         * chaos over {@code wire}; bits are flipped too if {@code flipBits}.
         */
        Params withAdversary(double perSecond, boolean flipBits, Wire wire) {
            adversaryPerSecond = perSecond;
            adversaryFlipsBits = flipBits;
            this.wire = wire;
            return this;
        }

        /**
         * The whole fault model at once for {@code seed}: the random run's loss, duplication, delay
         * (hence reordering), partitions, one-way links, crashes, restarts and client churn, plus
         * daemon stalls, graceful stops and an adversary replaying and forging packets, their rates
         * drawn from a stream of their own.
         */
        static Params wholeFaultModel(long seed) {
            Params p = random(new SplittableRandom(seed), seed);
            SplittableRandom r = new SplittableRandom(seed * 0x94D049BB133111EBL + 23);
            p.stallsPerSecond = 0.5 + r.nextDouble() * 2;
            p.gracefulStopsPerSecond = 0.2 + r.nextDouble() * 1.3;
            return p.withAdversary(20 + r.nextInt(100), false, Wire.PLAIN);
        }

        /** These parameters with daemons stalling {@code perSecond} times a second during the chaos. */
        Params withStalls(double perSecond) {
            stallsPerSecond = perSecond;
            return this;
        }

        @Override
        public String toString() {
            return "daemons=" + daemons + " loss=" + String.format("%.3f", loss) + " dup=" + String.format("%.3f", duplication)
                    + " delay=" + minDelayNanos / 1000 + ".." + maxDelayNanos / 1000 + "us faults/s="
                    + String.format("%.2f", faultsPerSecond) + " actions/s=" + String.format("%.0f", clientActionsPerSecond)
                    + " initialSeq=" + initialSequence
                    + (maxDatagramBytes < EngineConfig.DEFAULT_MAX_DATAGRAM_BYTES ? " datagram=" + maxDatagramBytes
                            + " payload<=" + (8 + payloadExtraBytes) : "")
                    + " lastLoad=" + lastLoadNanos / MS + "ms accelerated=" + acceleratedMessages
                    + (gracefulStopsPerSecond > 0 ? " gracefulStops/s=" + String.format("%.2f", gracefulStopsPerSecond)
                            : "")
                    + (stallsPerSecond > 0 ? " stalls/s=" + stallsPerSecond : "")
                    + (adversaryPerSecond > 0 ? " adversary/s=" + adversaryPerSecond + (adversaryFlipsBits ? "+flips" : "")
                            + " wire=" + wire : "");
        }
    }

    /**
     * What the network carries between two daemons. {@link #PLAIN} carries the engine's datagrams
     * as they are; a sealing wire (transport-udp's tests put the daemon transport's seal here)
     * turns each into a packet on the way out and back into a datagram on arrival, or drops it.
     */
    interface Wire {
        /** The packet daemon {@code from} puts on the network for {@code datagram}. */
        byte[] seal(int from, byte[] datagram);

        /** The datagram daemon {@code to} takes from {@code packet}, claimed to come from {@code from}; null drops it. */
        byte[] open(int to, int from, byte[] packet);

        Wire PLAIN = new Wire() {
            @Override
            public byte[] seal(int from, byte[] datagram) {
                return datagram;
            }

            @Override
            public byte[] open(int to, int from, byte[] packet) {
                return packet;
            }

            @Override
            public String toString() {
                return "plain";
            }
        };
    }

    /** A packet seen on the network, for the adversary to replay or alter. */
    private record Seen(int from, int to, byte[] packet) {
    }

    /** A simulated event; ties in time run in scheduling order. */
    private record Ev(long at, long order, Runnable action) {
    }

    /** One daemon slot: its engine while it runs. */
    private final class Node {
        final int id;
        Engine engine;
        long timerGeneration;
        int restarts;
        /** A graceful stop is under way: the engine runs until it has left the ring. */
        boolean stopping;
        /** Stop gracefully right after the next token this daemon handles. */
        boolean stopOnToken;
        final List<GracefulStop> stops = new ArrayList<>();
        /**
         * While the daemon is paused (a stalled process: GC, CPU starvation, a stopped VM), the
         * datagrams it receives wait here and a timer that falls due is remembered, as in the
         * daemon's input queue; they run when it resumes.
         */
        long pausedUntil = Long.MIN_VALUE;
        final List<Input> heldWhilePaused = new ArrayList<>();
        boolean timerDueWhilePaused;
        /** Where the inputs of this daemon's first engine are to be recorded, until it starts. */
        java.io.OutputStream recordTo;
        /** Records the inputs of this daemon's first engine while it runs; its outputs go to recordedOutputs. */
        InputRecording.Writer recorder;
        List<Output> recordedOutputs;

        Node(int id) {
            this.id = id;
        }
    }

    /** A client session of the simulation. */
    private static final class Client {
        final long id;
        final int daemon;
        final SessionLog log;
        boolean accepted;
        boolean gone;
        int credits;
        /** The daemon stopped reading this client's connection: it cannot send until it resumes. */
        boolean readingPaused;
        int sent;
        final Map<String, Boolean> member = new HashMap<>();

        Client(long id, int daemon, SessionLog log) {
            this.id = id;
            this.daemon = daemon;
            this.log = log;
        }
    }

    final long seed;
    final Params params;
    private final SplittableRandom rnd;
    private final PriorityQueue<Ev> queue = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
            : Long.compare(a.order, b.order));
    private long order;
    long now;
    private final Node[] nodes;
    private final boolean[][] blocked;
    private final Map<Long, Client> clients = new LinkedHashMap<>();
    final List<SessionLog> logs = new ArrayList<>();
    final Map<Long, SessionLog.Message> sent = new HashMap<>();
    private long nextSessionId = 1;
    private long nextMessageId = 1;
    private long restartCounter;
    private boolean chaos = true;
    final List<InvariantChecker.Violation> violations = new ArrayList<>();
    long events;
    int maxRingHeld;
    final List<String> trace = new ArrayList<>();
    /** The adversary's own random stream, so that switching it on leaves every other draw as it was. */
    private final SplittableRandom adversary;
    private final List<Seen> seen = new ArrayList<>();
    /** Packets the adversary injected: replays, forgeries, flipped copies. */
    long injectedReplays;
    long injectedForgeries;
    long injectedFlips;

    /** One graceful stop of a daemon, in virtual time; -1 for what has not happened (yet). */
    static final class GracefulStop {
        final int daemon;
        final long requestedAt;
        /** When the daemon broadcast its leave announcement. */
        long announcedAt = -1;
        /** When the engine reported the stop complete and the daemon went down. */
        long stoppedAt = -1;

        GracefulStop(int daemon, long requestedAt) {
            this.daemon = daemon;
            this.requestedAt = requestedAt;
        }
    }

    final List<GracefulStop> gracefulStops = new ArrayList<>();

    Simulator(long seed) {
        this(seed, null);
    }

    /** A random run of {@code seed} whose daemons also stall {@code stallsPerSecond} times a second. */
    Simulator(long seed, double stallsPerSecond) {
        this(seed, null, stallsPerSecond);
    }

    Simulator(long seed, Params fixed) {
        this(seed, fixed, 0);
    }

    /** The random run of {@code seed} with its drawn parameters changed by {@code adjust} (e.g. an adversary). */
    static Simulator adjusted(long seed, java.util.function.UnaryOperator<Params> adjust) {
        return new Simulator(seed, null, 0, adjust);
    }

    private Simulator(long seed, Params fixed, double stallsPerSecond) {
        this(seed, fixed, stallsPerSecond, p -> p);
    }

    private Simulator(long seed, Params fixed, double stallsPerSecond, java.util.function.UnaryOperator<Params> adjust) {
        this.seed = seed;
        this.rnd = new SplittableRandom(seed);
        this.params = fixed != null ? fixed : adjust.apply(Params.random(rnd, seed).withStalls(stallsPerSecond));
        this.adversary = new SplittableRandom(seed * 0xD6E8FEB86659FD93L + 11);
        this.nodes = new Node[params.daemons];
        this.blocked = new boolean[params.daemons][params.daemons];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = new Node(i);
        }
    }

    /** The daemons' log lines ({@link Output.Notice}), each prefixed with its daemon. */
    final List<String> notices = new ArrayList<>();
    /** Daemons started (or restarted) from now on speaking other than every wire version: by daemon. */
    final Map<Integer, io.consort.core.WireVersions> wireVersions = new HashMap<>();

    EngineConfig config(int daemon, long incarnation) {
        return EngineConfig.defaults()
                .withWireVersions(wireVersions.getOrDefault(daemon, io.consort.core.WireVersions.SUPPORTED)).withClustered(true).withDaemonId(daemon).withDaemonName("d" + daemon)
                .withIncarnation(incarnation).withSeed(seed * 31 + daemon).withInitialSequence(params.initialSequence)
                .withMaxDatagramBytes(params.maxDatagramBytes).withMaxMessageBytes(params.maxMessageBytes)
                .withAcceleratedMessages(params.acceleratedMessages)
                .withSendWindowBytes(params.sendWindowBytes > 0 ? params.sendWindowBytes
                        : EngineConfig.defaults().sendWindowBytes())
                .withRotationMinNanos(params.rotationMinNanos >= 0 ? params.rotationMinNanos
                        : EngineConfig.defaults().rotationMinNanos())
                .withSessionBufferBytesMax(Math.max(16L << 20, 4L * params.maxMessageBytes))
                .withLeaveTimeoutNanos(params.leaveTimeoutNanos > 0 ? params.leaveTimeoutNanos
                        : EngineConfig.defaults().leaveTimeoutNanos());
    }

    // ------------------------------------------------------------------ scheduling

    void at(long time, Runnable r) {
        queue.add(new Ev(Math.max(time, now), order++, r));
    }

    /** Runs after every event, for observers such as the scenario runner's trace; null for none. */
    Runnable afterEvent;
    /** Tokens handed to engines (every visit, duplicates and retransmissions included). */
    long tokensReceived;

    long debugFrom = Long.MAX_VALUE;
    long debugTo;
    long debugStep;
    long nextDebug = -1;

    /** Runs events until the clock reaches {@code until}. */
    void runUntil(long until) {
        while (!queue.isEmpty() && queue.peek().at <= until) {
            if (nextDebug < 0) {
                nextDebug = debugFrom;
            }
            if (queue.peek().at >= nextDebug && nextDebug <= debugTo) {
                System.out.printf("--- %.3f ms%n", nextDebug / 1e6);
                for (Node n : nodes) {
                    System.out.println("  " + (n.engine == null ? "d" + n.id + " down" : n.engine.ringDescription()));
                }
                nextDebug += debugStep;
            }
            Ev e = queue.poll();
            now = e.at;
            events++;
            e.action.run();
            if (afterEvent != null) {
                afterEvent.run();
            }
        }
        now = Math.max(now, until);
    }

    Engine engine(int daemon) {
        return nodes[daemon].engine;
    }

    int daemons() {
        return nodes.length;
    }

    /** Each daemon's current configuration id, by daemon: a change shows the ring re-formed there. */
    long[] configurationIds() {
        long[] ids = new long[nodes.length];
        for (int d = 0; d < ids.length; d++) {
            ids[d] = nodes[d].engine.configurationId();
        }
        return ids;
    }

    // ------------------------------------------------------------------ daemons

    void startAll() {
        for (Node n : nodes) {
            start(n, 1);
        }
    }

    private void start(Node n, long incarnation) {
        n.stopping = false;
        n.stopOnToken = false;
        n.engine = new Engine(config(n.id, incarnation));
        Engine e = n.engine;
        if (n.recordTo != null) {
            try {
                n.recorder = InputRecording.writer(n.recordTo, e.config());
            } catch (java.io.IOException x) {
                throw new java.io.UncheckedIOException(x);
            }
            n.recordTo = null;
            e.observeInputs(n.recorder::write);
        }
        at(now, () -> {
            if (n.engine == e) {
                step(n, new Input.Tick());
            }
        });
    }

    void crash(int daemon) {
        Node n = nodes[daemon];
        if (n.engine == null) {
            return;
        }
        trace("crash d" + daemon);
        finishRecording(daemon);
        n.engine = null;
        n.timerGeneration++;
        n.stopping = false; // a stop under way ends as a crash: its stoppedAt stays -1
        n.stopOnToken = false;
        n.pausedUntil = Long.MIN_VALUE;
        n.heldWhilePaused.clear();
        n.timerDueWhilePaused = false;
        for (Client c : clients.values()) {
            if (c.daemon == daemon && !c.gone) {
                c.gone = true;
                c.log.end = SessionLog.End.CRASHED;
            }
        }
    }

    /**
     * Stops {@code daemon} gracefully, as SIGTERM does: {@link Engine#shutdown}, then the engine
     * runs on (datagrams, timers) until it reports {@link Engine#stopped()}, and the daemon goes down.
     */
    void gracefulStop(int daemon) {
        Node n = nodes[daemon];
        if (n.engine == null || n.stopping) {
            return;
        }
        perform(n, n.engine, beginGracefulStop(n));
    }

    /** Marks the stop and applies {@link Input.Shutdown}; returns its outputs, for the caller to perform. */
    private List<Output> beginGracefulStop(Node n) {
        trace("graceful stop d" + n.id);
        n.stopping = true;
        n.stopOnToken = false;
        GracefulStop stop = new GracefulStop(n.id, now);
        n.stops.add(stop);
        gracefulStops.add(stop);
        List<Output> outputs = n.engine.step(new Input.Shutdown(), now);
        if (n.recordedOutputs != null) {
            n.recordedOutputs.addAll(outputs);
        }
        return outputs;
    }

    /** Stops {@code daemon} gracefully right after it next handles a token (so while it has the token's outputs in hand). */
    void gracefulStopOnToken(int daemon) {
        Node n = nodes[daemon];
        if (n.engine != null && !n.stopping) {
            n.stopOnToken = true;
        }
    }

    /** Whether {@code daemon} is in a graceful stop that has not completed. */
    boolean stopping(int daemon) {
        return nodes[daemon].stopping;
    }

    void restart(int daemon) {
        Node n = nodes[daemon];
        if (n.engine != null) {
            return;
        }
        trace("restart d" + daemon);
        n.restarts++;
        start(n, ++restartCounter * 1_000_000L + 1);
    }

    /** Blocks or unblocks datagrams from {@code from} to {@code to}. */
    void block(int from, int to, boolean block) {
        blocked[from][to] = block;
    }

    /** Splits the daemons into the given sides; daemons on different sides cannot reach each other. */
    void partition(int[] side) {
        for (int a = 0; a < nodes.length; a++) {
            for (int b = 0; b < nodes.length; b++) {
                blocked[a][b] = side[a] != side[b];
            }
        }
        trace("partition " + java.util.Arrays.toString(side));
    }

    void healNetwork() {
        for (boolean[] row : blocked) {
            java.util.Arrays.fill(row, false);
        }
        trace("heal");
    }

    /** Applies {@code inputs} to {@code n}'s engine now, then performs what they asked for, in order. */
    private void step(Node n, Input... inputs) {
        Engine e = n.engine;
        if (e == null) {
            return;
        }
        List<Output> outputs = inputs.length == 1 ? e.step(inputs[0], now) : new ArrayList<>();
        if (inputs.length > 1) {
            for (Input input : inputs) {
                outputs.addAll(e.step(input, now));
            }
        }
        if (n.recordedOutputs != null) {
            n.recordedOutputs.addAll(outputs);
        }
        perform(n, e, outputs);
    }

    /**
     * Records the inputs of {@code daemon}'s first engine (call before {@link #run}) to {@code sink},
     * as consortd's {@code --record-inputs} does, and adds its outputs to {@code outputs}: what a
     * replay of the recording must reproduce. The recording ends when that engine goes down; then,
     * or at the end of the run, {@link #finishRecording} flushes it.
     */
    void recordInputs(int daemon, java.io.OutputStream sink, List<Output> outputs) {
        Node n = nodes[daemon];
        n.recordTo = sink;
        n.recordedOutputs = outputs;
    }

    /** Flushes {@code daemon}'s recording and ends it. */
    void finishRecording(int daemon) {
        Node n = nodes[daemon];
        if (n.recorder != null) {
            try {
                n.recorder.flush();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        n.recordedOutputs = null;
    }

    private void perform(Node n, Engine e, List<Output> outputs) {
        for (Output o : outputs) {
            if (o instanceof Output.SendDatagram s) {
                transmit(n.id, s.toDaemon(), s.datagram());
            } else if (o instanceof Output.BroadcastDatagram b) {
                if (n.stopping && b.datagram().length > 3 && b.datagram()[3] == Header.TYPE_LEAVE) {
                    GracefulStop stop = n.stops.get(n.stops.size() - 1);
                    if (stop.announcedAt < 0) {
                        stop.announcedAt = now;
                        trace("d" + n.id + " announces its leave");
                    }
                }
                for (int to = 0; to < nodes.length; to++) {
                    if (to != n.id) {
                        transmit(n.id, to, b.datagram());
                    }
                }
            } else if (o instanceof Output.SetTimer t) {
                long gen = ++n.timerGeneration;
                at(t.deadlineNanos(), () -> {
                    if (n.engine == e && n.timerGeneration == gen) {
                        if (now < n.pausedUntil) {
                            n.timerDueWhilePaused = true;
                            return;
                        }
                        step(n, new Input.Tick());
                    }
                });
            } else if (o instanceof Output.Notice notice) {
                notices.add("d" + n.id + ": " + notice.text());
            } else {
                session((Output.SessionOutput) o);
            }
        }
        maxRingHeld = Math.max(maxRingHeld, e.ringHeldMessages());
        if (n.stopping && n.engine == e && e.stopped()) {
            n.stops.get(n.stops.size() - 1).stoppedAt = now;
            n.stopping = false;
            finishRecording(n.id);
            n.engine = null;
            n.timerGeneration++;
            trace("d" + n.id + " stopped");
        }
    }

    /** The largest UDP payload there is: a longer datagram cannot be sent, as on a real network. */
    static final int UDP_PAYLOAD_MAX = 65_507;
    /** The longest datagram an engine asked to send. */
    int largestDatagram;

    private void transmit(int from, int to, byte[] datagram) {
        largestDatagram = Math.max(largestDatagram, datagram.length);
        if (to < 0 || to >= nodes.length || blocked[from][to] || datagram.length > UDP_PAYLOAD_MAX) {
            return;
        }
        if (chaos && rnd.nextDouble() < params.loss) {
            return;
        }
        int copies = chaos && rnd.nextDouble() < params.duplication ? 2 : 1;
        byte[] packet = params.wire.seal(from, datagram);
        if (params.adversaryPerSecond > 0) {
            if (seen.size() < 4096) {
                seen.add(new Seen(from, to, packet));
            } else {
                seen.set(adversary.nextInt(seen.size()), new Seen(from, to, packet));
            }
        }
        for (int i = 0; i < copies; i++) {
            long delay = params.minDelayNanos + rnd.nextLong(params.maxDelayNanos - params.minDelayNanos + 1);
            at(now + delay, () -> receivePacket(nodes[to], from, packet));
        }
    }

    /** A packet arrives at {@code n}: the wire opens it (or drops it) before the engine sees it. */
    private void receivePacket(Node n, int from, byte[] packet) {
        if (n.engine == null) {
            return;
        }
        byte[] datagram = params.wire.open(n.id, from, packet);
        if (datagram != null) {
            receive(n, from, datagram);
        }
    }

    private void receive(Node n, int from, byte[] datagram) {
        if (n.engine == null) {
            return;
        }
        if (now < n.pausedUntil) {
            n.heldWhilePaused.add(new Input.Datagram(from, datagram));
            return;
        }
        if (datagram.length > 3 && datagram[3] == Header.TYPE_TOKEN) {
            tokensReceived++;
        }
        Engine e = n.engine;
        List<Output> outputs = e.step(new Input.Datagram(from, datagram), now);
        if (n.recordedOutputs != null) {
            n.recordedOutputs.addAll(outputs);
        }
        if (n.stopOnToken && !n.stopping && datagram.length > 3 && datagram[3] == Header.TYPE_TOKEN) {
            // Stopped with the token's outputs in hand: they go out together with the stop's.
            List<Output> both = new ArrayList<>(outputs);
            both.addAll(beginGracefulStop(n));
            outputs = both;
        }
        perform(n, e, outputs);
    }

    /**
     * Stalls {@code daemon} for {@code nanos}: it neither reads the network nor runs its timers
     * (its clients' requests are not made meanwhile). On resuming it works off what waited, in
     * arrival order, then runs its overdue timer, as the daemon's engine loop does: inputs of a
     * batch first, then the timer, with the clock of the moment it woke.
     */
    void pause(int daemon, long nanos) {
        Node n = nodes[daemon];
        if (n.engine == null || now < n.pausedUntil) {
            return;
        }
        trace("pause d" + daemon + " for " + nanos / MS + "ms");
        n.pausedUntil = now + nanos;
        Engine e = n.engine;
        at(n.pausedUntil, () -> {
            List<Input> held = new ArrayList<>(n.heldWhilePaused);
            n.heldWhilePaused.clear();
            boolean timerDue = n.timerDueWhilePaused;
            n.timerDueWhilePaused = false;
            for (Input input : held) {
                if (n.engine == e) {
                    step(n, input);
                }
            }
            if (timerDue && n.engine == e) {
                step(n, new Input.Tick());
            }
        });
    }

    boolean paused(int daemon) {
        return now < nodes[daemon].pausedUntil;
    }

    // ------------------------------------------------------------------ clients

    private void session(Output.SessionOutput o) {
        Client c = clients.get(o.sessionId());
        if (c == null || c.gone) {
            return;
        }
        if (o instanceof Output.SessionAccepted a) {
            c.accepted = true;
            c.credits = a.sendCredits();
        } else if (o instanceof Output.SendCredit s) {
            c.credits += s.credits();
        } else if (o instanceof Output.PauseReading p) {
            c.readingPaused = p.paused();
        } else if (o instanceof Output.CloseSession) {
            c.gone = true;
            c.log.end = SessionLog.End.CLOSED;
        } else if (o instanceof Output.Deliver d) {
            record(c, d.event());
        }
    }

    /**
     * Which sessions' events are recorded at all; the others' are dropped (runs with a million
     * groups, whose logs would not fit in memory, check those sessions' groups in the engines).
     */
    java.util.function.LongPredicate logged = id -> true;

    private void record(Client c, Event e) {
        if (!logged.test(c.id)) {
            return;
        }
        if (e instanceof MessageEvent m) {
            long id = ByteBuffer.wrap(m.payload()).getLong();
            c.log.entries.add(new SessionLog.Delivered(id, m));
        } else if (e instanceof ViewEvent v) {
            c.log.entries.add(new SessionLog.View(v));
            c.member.put(v.group(), !v.selfLeave() && v.members().contains(c.log.name));
        } else {
            c.log.entries.add(new SessionLog.Transitional((TransitionalEvent) e));
        }
    }

    /** Connects a new session to {@code daemon}; returns its id, or -1 if the daemon is down. */
    long connect(int daemon) {
        Node n = nodes[daemon];
        if (n.engine == null || paused(daemon)) {
            return -1;
        }
        long id = nextSessionId++;
        String user = "u" + id;
        SessionLog log = new SessionLog("#" + user + "#d" + daemon, daemon);
        Client c = new Client(id, daemon, log);
        clients.put(id, c);
        logs.add(log);
        step(n, new Input.Connect(id, user), new Input.Subscribe(id, 1, StreamFilter.all()),
                new Input.Credit(id, 1, Long.MAX_VALUE));
        return id;
    }

    private Engine live(Client c) {
        if (c.gone || !c.accepted || paused(c.daemon)) {
            return null;
        }
        return nodes[c.daemon].engine;
    }

    void join(long session, String group) {
        Client c = clients.get(session);
        Engine e = c == null ? null : live(c);
        if (e != null) {
            step(nodes[c.daemon], new Input.Join(session, 0, group));
        }
    }

    void leave(long session, String group) {
        Client c = clients.get(session);
        Engine e = c == null ? null : live(c);
        if (e != null) {
            step(nodes[c.daemon], new Input.Leave(session, 0, group));
        }
    }

    /** Multicasts from {@code session}; returns the message id, or -1 if it could not send. */
    long multicast(long session, List<String> groups, ServiceLevel level, boolean selfDiscard) {
        return multicast(session, groups, level, selfDiscard, 0);
    }

    /** A multicast with a payload of {@code payloadBytes} (at least 8; below that, a random small one). */
    long multicast(long session, List<String> groups, ServiceLevel level, boolean selfDiscard, int payloadBytes) {
        Client c = clients.get(session);
        Engine e = c == null ? null : live(c);
        if (e == null || c.credits <= 0 || c.readingPaused) {
            return -1;
        }
        long id = nextMessageId++;
        byte[] payload = ByteBuffer.allocate(payloadBytes >= 8 ? payloadBytes : 8 + rnd.nextInt(params.payloadExtraBytes))
                .putLong(id).array();
        sent.put(id, new SessionLog.Message(id, c.log.name, List.copyOf(groups), level, selfDiscard));
        c.log.entries.add(new SessionLog.Sent(id));
        c.credits--;
        c.sent++;
        step(nodes[c.daemon], new Input.Multicast(session, 0, groups, level, selfDiscard, 7, payload));
        return id;
    }

    void disconnect(long session, boolean clean) {
        Client c = clients.get(session);
        Engine e = c == null ? null : live(c);
        if (e != null) {
            c.gone = true;
            c.log.end = SessionLog.End.DISCONNECTED;
            step(nodes[c.daemon], new Input.Disconnect(session, clean));
        }
    }

    SessionLog log(long session) {
        return clients.get(session).log;
    }

    private void trace(String s) {
        trace.add(String.format("%9.3fms %s", now / 1e6, s));
    }

    // ------------------------------------------------------------------ a random run

    /** Runs the whole randomized scenario and checks it; returns the violations (empty when all holds). */
    List<InvariantChecker.Violation> run() {
        startAll();
        long chaosEnd = params.chaosNanos;
        scheduleChaos(chaosEnd);
        runUntil(chaosEnd);
        chaos = false;
        healNetwork();
        for (int d = 0; d < nodes.length; d++) {
            nodes[d].stopOnToken = false; // a stop asked for in the chaos, not yet begun: it is off
            if (nodes[d].stopping) {
                crash(d); // a stop still under way when the chaos ends: down now, to be restarted with the rest
            }
            restart(d);
        }
        runUntil(chaosEnd + params.healNanos);
        checkConverged();
        long finalAt = chaosEnd + params.healNanos + lastLoad(chaosEnd + params.healNanos);
        runUntil(finalAt);
        finalRound();
        runUntil(finalAt + params.finalNanos);
        checkFinalRound();
        // Traffic stopped a quiet period ago: nothing delivered in a view may be missing at another
        // member of that view (a ring that stops when idle strands the last messages).
        violations.addAll(InvariantChecker.checkQuiescent(logs, sent));
        if (maxRingHeld > 8 * config(0, 1).globalWindowMessages() + 4096) {
            violations.add(new InvariantChecker.Violation(InvariantChecker.Rule.BOUNDED_MEMORY,
                    "a ring held " + maxRingHeld + " messages"));
        }
        violations.addAll(InvariantChecker.check(logs, sent));
        return violations;
    }

    private void scheduleChaos(long chaosEnd) {
        // Faults.
        if (params.faults && params.faultsPerSecond > 0) {
            long t = 0;
            while (true) {
                t += (long) (-Math.log(1 - rnd.nextDouble()) / params.faultsPerSecond * 1e9);
                if (t >= chaosEnd - 200 * MS) {
                    break;
                }
                long when = t;
                int kind = rnd.nextInt(6);
                int a = rnd.nextInt(nodes.length);
                int b = rnd.nextInt(nodes.length);
                int[] side = new int[nodes.length];
                for (int i = 0; i < side.length; i++) {
                    side[i] = rnd.nextInt(2);
                }
                at(when, () -> {
                    switch (kind) {
                        case 0 -> partition(side);
                        case 1 -> healNetwork();
                        case 2 -> {
                            if (a != b) {
                                block(a, b, true);
                                trace("block d" + a + "->d" + b);
                            }
                        }
                        case 3 -> crash(a);
                        case 4 -> restart(a);
                        default -> {
                            healNetwork();
                            restart(a);
                        }
                    }
                });
            }
        }
        if (params.faults && params.gracefulStopsPerSecond > 0) {
            SplittableRandom g = new SplittableRandom(seed * 0x632BE59BD9B4E019L + 5);
            long t = 0;
            while (true) {
                t += (long) (-Math.log(1 - g.nextDouble()) / params.gracefulStopsPerSecond * 1e9);
                if (t >= chaosEnd - 200 * MS) {
                    break;
                }
                int d = g.nextInt(nodes.length);
                boolean onToken = g.nextBoolean();
                at(t, () -> {
                    if (onToken) {
                        gracefulStopOnToken(d);
                    } else {
                        gracefulStop(d);
                    }
                });
            }
        }
        scheduleStalls(chaosEnd);
        scheduleAdversary(chaosEnd);
        // Client actions.
        long t = 0;
        while (true) {
            t += (long) (-Math.log(1 - rnd.nextDouble()) / params.clientActionsPerSecond * 1e9);
            if (t >= chaosEnd) {
                break;
            }
            long r = rnd.nextLong();
            at(t, () -> clientAction(new SplittableRandom(r)));
        }
    }

    private void scheduleStalls(long chaosEnd) {
        if (params.stallsPerSecond <= 0) {
            return;
        }
        SplittableRandom r = new SplittableRandom(seed * 0x94D049BB133111EBL + 7);
        long t = 0;
        while (true) {
            t += (long) (-Math.log(1 - r.nextDouble()) / params.stallsPerSecond * 1e9);
            if (t >= chaosEnd) {
                break;
            }
            int d = r.nextInt(nodes.length);
            long length = (10 + r.nextInt(291)) * MS;
            at(t, () -> pause(d, length));
        }
    }

    /**
     * The adversary: at random moments of the chaos it sends a daemon a packet claiming to come from
     * another daemon: a replay of any packet seen so far (however old), random bytes, or (if allowed)
     * a packet seen so far with one to three bits flipped.
     */
    private void scheduleAdversary(long chaosEnd) {
        if (params.adversaryPerSecond <= 0) {
            return;
        }
        long t = 0;
        while (true) {
            t += (long) (-Math.log(1 - adversary.nextDouble()) / params.adversaryPerSecond * 1e9);
            if (t >= chaosEnd) {
                break;
            }
            at(t, this::inject);
        }
    }

    private void inject() {
        int kind = adversary.nextInt(params.adversaryFlipsBits ? 3 : 2);
        if (seen.isEmpty() || kind == 1) {
            byte[] junk = new byte[adversary.nextInt(600)];
            adversary.nextBytes(junk);
            if (junk.length > 4 && adversary.nextBoolean()) {
                // a well-formed start, so that decoders get past their first checks
                byte[] real = seen.isEmpty() ? junk : seen.get(adversary.nextInt(seen.size())).packet;
                System.arraycopy(real, 0, junk, 0, Math.min(real.length, Math.min(junk.length, 8)));
            }
            injectedForgeries++;
            receivePacket(nodes[adversary.nextInt(nodes.length)], adversary.nextInt(nodes.length), junk);
            return;
        }
        Seen s = seen.get(adversary.nextInt(seen.size()));
        byte[] packet = s.packet;
        if (kind == 2 && packet.length > 0) {
            packet = packet.clone();
            for (int i = 1 + adversary.nextInt(3); i > 0; i--) {
                packet[adversary.nextInt(packet.length)] ^= (byte) (1 << adversary.nextInt(8));
            }
            injectedFlips++;
        } else {
            injectedReplays++;
        }
        // to where it went, or to any other daemon: a broadcast reached them all anyway
        int to = adversary.nextBoolean() ? s.to : adversary.nextInt(nodes.length);
        if (to != s.from) {
            receivePacket(nodes[to], s.from, packet);
        }
    }

    private void clientAction(SplittableRandom r) {
        List<Client> alive = new ArrayList<>();
        for (Client c : clients.values()) {
            if (!c.gone && c.accepted && nodes[c.daemon].engine != null) {
                alive.add(c);
            }
        }
        int choice = r.nextInt(100);
        if (alive.isEmpty() || choice < 6) {
            int d = r.nextInt(nodes.length);
            long onDaemon = alive.stream().filter(c -> c.daemon == d).count();
            if (onDaemon < params.maxSessionsPerDaemon) {
                long id = connect(d);
                if (id > 0) {
                    join(id, GROUPS[r.nextInt(GROUPS.length)]);
                }
            }
            return;
        }
        Client c = alive.get(r.nextInt(alive.size()));
        if (choice < 14) {
            join(c.id, GROUPS[r.nextInt(GROUPS.length)]);
        } else if (choice < 18) {
            leave(c.id, GROUPS[r.nextInt(GROUPS.length)]);
        } else if (choice < 20) {
            disconnect(c.id, r.nextBoolean());
        } else {
            List<String> groups = new ArrayList<>();
            groups.add(GROUPS[r.nextInt(GROUPS.length)]);
            if (r.nextInt(5) == 0) {
                String g = GROUPS[r.nextInt(GROUPS.length)];
                if (!groups.contains(g)) {
                    groups.add(g);
                }
            }
            if (r.nextInt(10) == 0 && alive.size() > 1) {
                groups.add(alive.get(r.nextInt(alive.size())).log.name);
            }
            ServiceLevel level = ServiceLevel.values()[r.nextInt(6)];
            multicast(c.id, groups, level, r.nextInt(10) == 0);
        }
    }

    // ------------------------------------------------------------------ liveness

    private void checkConverged() {
        List<Integer> all = new ArrayList<>();
        for (int d = 0; d < nodes.length; d++) {
            all.add(d);
        }
        Long conf = null;
        for (Node n : nodes) {
            Engine e = n.engine;
            if (!e.configurationMembers().equals(all) || !e.groupsStable()
                    || (conf != null && conf != e.configurationId())) {
                violations.add(new InvariantChecker.Violation(InvariantChecker.Rule.LIVENESS, "after healing, d" + n.id
                        + " is in configuration " + e.configurationId() + " of " + e.configurationMembers()
                        + (e.groupsStable() ? "" : " with groups still changing") + ", not one of all daemons"));
                return;
            }
            conf = e.configurationId();
        }
    }

    /**
     * Load right up to the final round: every member multicasts at a random level every 2 to 8 ms
     * for {@link Params#lastLoadNanos}. Returns that duration.
     */
    private long lastLoad(long from) {
        if (params.lastLoadNanos <= 0) {
            return 0;
        }
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 17);
        for (long t = from; t < from + params.lastLoadNanos; t += (2 + r.nextInt(7)) * MS) {
            long pick = r.nextLong();
            at(t, () -> {
                SplittableRandom q = new SplittableRandom(pick);
                for (Client c : clients.values()) {
                    if (live(c) == null || q.nextInt(3) != 0) {
                        continue;
                    }
                    for (String g : GROUPS) {
                        if (c.member.getOrDefault(g, false)) {
                            multicast(c.id, List.of(g), ServiceLevel.values()[1 + q.nextInt(5)], false);
                            break;
                        }
                    }
                }
            });
        }
        return params.lastLoadNanos;
    }

    private final Map<Long, List<Long>> finalMessages = new LinkedHashMap<>();
    private final Map<String, List<String>> finalMembers = new HashMap<>();

    private void finalRound() {
        for (Client c : clients.values()) {
            if (live(c) == null) {
                continue;
            }
            for (String g : GROUPS) {
                if (c.member.getOrDefault(g, false)) {
                    finalMembers.computeIfAbsent(g, k -> new ArrayList<>()).add(c.log.name);
                    long id = multicast(c.id, List.of(g), ServiceLevel.AGREED, false);
                    if (id < 0) {
                        violations.add(new InvariantChecker.Violation(InvariantChecker.Rule.LIVENESS,
                                c.log.name + " has no send credit after healing"));
                    } else {
                        finalMessages.computeIfAbsent(c.id, k -> new ArrayList<>()).add(id);
                    }
                }
            }
        }
    }

    private void checkFinalRound() {
        for (Map.Entry<Long, List<Long>> e : finalMessages.entrySet()) {
            for (long id : e.getValue()) {
                SessionLog.Message m = sent.get(id);
                for (String member : finalMembers.getOrDefault(m.groups().get(0), List.of())) {
                    SessionLog log = logs.stream().filter(l -> l.name.equals(member)).findFirst().orElseThrow();
                    boolean got = log.entries.stream()
                            .anyMatch(x -> x instanceof SessionLog.Delivered d && d.msgId() == id);
                    if (!got && log.end == SessionLog.End.ALIVE) {
                        violations.add(new InvariantChecker.Violation(InvariantChecker.Rule.LIVENESS, member
                                + " never got message " + id + " sent to " + m.groups() + " after healing"));
                        return;
                    }
                }
            }
        }
    }

    /** The command that replays this seed. */
    /** Runs the simulation ({@link #run()}); what went wrong (a broken invariant, or what the run threw), or null. */
    @org.jspecify.annotations.Nullable String runForFailure() {
        List<InvariantChecker.Violation> v;
        try {
            v = run();
        } catch (RuntimeException | AssertionError e) {
            return "seed " + seed + " threw " + e;
        }
        return v.isEmpty() ? null : report(v);
    }

    String replayCommand() {
        return "mvn -q -B -pl core test -Dtest=SimulatorTest#replay -Dconsort.sim.seed=" + seed
                + (params.stallsPerSecond > 0 ? " -Dconsort.sim.stalls=" + params.stallsPerSecond : "");
    }

    String report(List<InvariantChecker.Violation> found) {
        StringBuilder b = new StringBuilder();
        b.append("seed ").append(seed).append(" (").append(params).append(") broke ").append(found.size())
                .append(" invariant(s):\n");
        for (InvariantChecker.Violation v : found) {
            b.append("  ").append(v).append('\n');
        }
        b.append("faults:\n");
        for (String t : trace) {
            b.append("  ").append(t).append('\n');
        }
        b.append("replay: ").append(replayCommand()).append('\n');
        return b.toString();
    }
}

package io.consort.daemon;

import io.consort.core.Engine;
import io.consort.core.EngineCounters;
import io.consort.core.SessionFigures;
import io.consort.core.ViewId;
import io.consort.daemon.security.SessionSecurity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What a daemon shows of itself to the operator: an immutable {@link DaemonSnapshot} published by the
 * engine thread every second (and on request), whether the daemon is in a regular configuration, and,
 * for testing only, a partition injected into its daemon network. Every method is safe from any thread;
 * none touches the engine off its thread.
 *
 * <pre>{@code
 * DaemonMonitor m = daemon.monitor();
 * m.refresh().thenAccept(s -> System.out.println(s.memberNames()));
 * boolean ready = m.regular();
 * }</pre>
 */
public final class DaemonMonitor {
    /** How often the engine thread publishes a snapshot on its own. */
    public static final Duration PERIOD = Duration.ofSeconds(1);

    private final EngineLoop loop;
    private final @Nullable DaemonNetwork network;
    private final OutputCounters outputs;
    private final Supplier<SessionSecurity> security;
    private final String daemonName;
    private final int daemonId;
    private final boolean clustered;
    private final long sessionBufferBytesMax;
    private final long startedAtNanos = System.nanoTime();
    private final MembershipLog membershipLog;
    private final RingAnnouncer ringAnnouncer;
    private volatile Map<Integer, String> daemonNames;
    private volatile boolean regular;
    private volatile @Nullable DaemonSnapshot latest;

    DaemonMonitor(EngineLoop loop, @Nullable DaemonNetwork network, OutputCounters outputs, DaemonOptions options,
            Supplier<SessionSecurity> security) {
        this.loop = loop;
        this.network = network;
        this.outputs = outputs;
        this.security = security;
        this.daemonName = options.engine().daemonName();
        this.daemonId = options.engine().daemonId();
        this.clustered = options.engine().clustered();
        this.sessionBufferBytesMax = options.engine().sessionBufferBytesMax();
        this.daemonNames = Map.of(daemonId, daemonName);
        this.membershipLog = new MembershipLog(daemonName, () -> daemonNames);
        this.ringAnnouncer = new RingAnnouncer(daemonName, daemonId, clustered, () -> daemonNames);
    }

    /** What tells this daemon's sessions the ring's state (RING frames); used on the engine thread only. */
    RingAnnouncer ringAnnouncer() {
        return ringAnnouncer;
    }

    /** Starts the periodic snapshot and the per-batch checks; called once the engine loop runs. */
    void start() {
        loop.afterBatch(this::afterBatch);
        loop.every(PERIOD, (e, now) -> publish(e));
        loop.submit((e, now) -> publish(e));
    }

    /** On the engine thread after every batch: cheap reads only. */
    private void afterBatch(Engine e) {
        boolean r = e.groupsStable() && (!clustered || !e.configurationMembers().isEmpty());
        if (r != regular) {
            regular = r;
        }
        membershipLog.afterBatch(e, clustered);
        ringAnnouncer.afterBatch(e);
    }

    private DaemonSnapshot publish(Engine e) {
        DaemonSnapshot s = take(e);
        latest = s;
        return s;
    }

    private DaemonSnapshot take(Engine e) {
        List<DaemonSnapshot.GroupFigures> groups = new ArrayList<>();
        for (String g : e.groupNames()) {
            ViewId v = e.viewId(g);
            groups.add(new DaemonSnapshot.GroupFigures(g, v == null ? "" : v.toString(), e.members(g)));
        }
        List<SessionFigures> sessions = e.sessionFigures();
        EngineCounters c = e.counters();
        Map<String, Long> dropped = new TreeMap<>();
        dropped.put("undecodable", c.undecodableDatagrams());
        dropped.put("malformed", c.malformedDatagrams());
        DaemonNetwork n = network;
        if (n != null) {
            dropped.putAll(n.dropsByReason());
        }
        boolean r = e.groupsStable() && (!clustered || !e.configurationMembers().isEmpty());
        return new DaemonSnapshot(daemonName, daemonId, clustered, System.currentTimeMillis(),
                (System.nanoTime() - startedAtNanos) / 1_000_000, r, e.configurationId(), e.configurationMembers(),
                daemonNames, sessions, groups, c, outputs.delivered(), outputs.deliveredBytes(), outputs.closed(),
                dropped, e.ringHeldMessages(), loop.queuedInputs(), sessionBufferBytesMax);
    }

    /** The latest published snapshot (at most {@link #PERIOD} old once the daemon runs). */
    public DaemonSnapshot snapshot() {
        DaemonSnapshot s = latest;
        if (s == null) {
            return refresh().join();
        }
        return s;
    }

    /** A snapshot taken now, through the engine thread; completes exceptionally if the daemon stopped. */
    public CompletableFuture<DaemonSnapshot> refresh() {
        CompletableFuture<DaemonSnapshot> f = new CompletableFuture<>();
        loop.submit((e, now) -> f.complete(publish(e)));
        return f.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Whether the daemon is in a regular configuration with settled group views; always true for a daemon alone. */
    public boolean regular() {
        return regular;
    }

    public String daemonName() {
        return daemonName;
    }

    /** The session security in force: the admin port authenticates with it. */
    public SessionSecurity security() {
        return security.get();
    }

    /** Names the daemons of the network by id, for logs and the monitor (consortd knows them from its configuration). */
    public void daemonNames(Map<Integer, String> names) {
        this.daemonNames = Map.copyOf(Objects.requireNonNull(names, "names"));
    }

    /**
     * For testing only: drops every datagram to and from {@code daemons} (empty heals), as if the links
     * were cut. Returns false if the daemon network cannot do that.
     */
    public boolean isolate(Set<Integer> daemons) {
        DaemonNetwork n = network;
        return n != null && n.isolate(Set.copyOf(daemons));
    }
}

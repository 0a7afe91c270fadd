package io.consort.daemon.admin;

import io.consort.core.ServiceLevel;
import io.consort.core.SessionFigures;
import io.consort.core.GatherCause;
import io.consort.daemon.DaemonSnapshot;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * The daemon's meters, each a function of the latest {@link DaemonSnapshot}: registering them costs
 * nothing on the engine's path, and a scrape reads one immutable object. Names follow Micrometer's
 * conventions (dotted, base units; Prometheus turns {@code consort.ring.gathers} into
 * {@code consort_ring_gathers_total}); docs/OPERATIONS.md lists what each means.
 *
 * <pre>{@code
 * MeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * DaemonMeters meters = DaemonMeters.bind(registry, daemon.monitor()::snapshot); // keep it referenced
 * }</pre>
 */
public final class DaemonMeters {
    /** Session buffer levels counted by {@code consort.sessions.buffered}: at least this share of the bound. */
    private static final double[] BUFFER_SHARES = {0.25, 0.5, 0.9};

    private final Supplier<DaemonSnapshot> snapshots;

    private DaemonMeters(Supplier<DaemonSnapshot> snapshots) {
        this.snapshots = snapshots;
    }

    private double read(ToDoubleFunction<DaemonSnapshot> f) {
        return f.applyAsDouble(snapshots.get());
    }

    /**
     * Registers every daemon meter in {@code registry}, reading {@code snapshots} at each scrape. Keep the
     * returned object as long as the meters are scraped: Micrometer holds it weakly, and a function meter
     * whose object is gone repeats its last value.
     */
    public static DaemonMeters bind(MeterRegistry registry, Supplier<DaemonSnapshot> snapshots) {
        DaemonMeters m = new DaemonMeters(snapshots);
        Tags daemon = Tags.of("daemon", snapshots.get().daemonName());
        m.gauge(registry, "consort.ring.members", daemon, "daemons in the current configuration", null,
                s -> s.members().size());
        m.gauge(registry, "consort.ring.configuration.id", daemon, "the current configuration's id (changes with each)",
                null, s -> s.configurationId());
        m.gauge(registry, "consort.ring.regular", daemon, "1 in a regular configuration with settled views, else 0",
                null, s -> s.regular() ? 1 : 0);
        m.counter(registry, "consort.ring.configurations", daemon, "regular configurations installed", null,
                s -> s.counters().configurations());
        for (GatherCause c : GatherCause.values()) {
            m.counter(registry, "consort.ring.gathers", daemon.and("cause", lower(c.name())),
                    "gathers (membership rounds) started, by cause", null, s -> s.counters().gathers().get(c));
        }
        FunctionTimer.builder("consort.ring.token.rotation", m,
                x -> (long) x.read(s -> s.counters().tokenRotations()), x -> x.read(s -> s.counters().tokenRotationNanos()),
                TimeUnit.NANOSECONDS).tags(daemon).description("time between fresh tokens at this daemon").register(registry);
        FunctionTimer.builder("consort.ring.token.hold", m,
                x -> (long) x.read(s -> s.counters().tokenHolds()), x -> x.read(s -> s.counters().tokenHoldNanos()),
                TimeUnit.NANOSECONDS).tags(daemon).description("time this daemon held the token (idle or paced)")
                .register(registry);
        m.counter(registry, "consort.ring.retransmit.requests", daemon, "sequence numbers this daemon asked to be re-sent",
                null, s -> s.counters().retransmitRequests());
        m.counter(registry, "consort.ring.retransmitted", daemon, "messages this daemon re-sent for others", null,
                s -> s.counters().retransmittedMessages());
        m.gauge(registry, "consort.ring.backlog", daemon, "messages waiting to be sent at all daemons (flow control)",
                null, s -> s.counters().backlog());
        m.gauge(registry, "consort.ring.held", daemon, "messages the ring holds (ordered, waiting, kept for retransmission)",
                null, s -> s.ringHeldMessages());
        m.gauge(registry, "consort.engine.queued.inputs", daemon, "inputs waiting for the engine thread", null,
                s -> s.queuedInputs());
        for (ServiceLevel l : ServiceLevel.values()) {
            Tags t = daemon.and("level", lower(l.name()));
            m.counter(registry, "consort.messages.received", t, "multicasts accepted from this daemon's sessions",
                    null, s -> s.counters().messagesIn().get(l));
            m.counter(registry, "consort.received", t, "payload bytes of those multicasts", "bytes",
                    s -> s.counters().bytesIn().get(l));
            m.counter(registry, "consort.messages.delivered", t, "messages delivered to this daemon's sessions",
                    null, s -> s.delivered().get(l));
            m.counter(registry, "consort.delivered", t, "payload bytes of those deliveries", "bytes",
                    s -> s.deliveredBytes().get(l));
        }
        m.gauge(registry, "consort.sessions", daemon, "connected sessions", null, s -> s.sessions().size());
        m.gauge(registry, "consort.groups", daemon, "groups with members", null, s -> s.groups().size());
        m.gauge(registry, "consort.session.buffered.max", daemon, "the most bytes buffered for any one session",
                "bytes", s -> s.sessions().stream().mapToLong(SessionFigures::bufferedBytes).max().orElse(0));
        m.gauge(registry, "consort.session.buffered.total", daemon, "bytes buffered for all sessions together",
                "bytes", s -> s.sessions().stream().mapToLong(SessionFigures::bufferedBytes).sum());
        for (double share : BUFFER_SHARES) {
            m.gauge(registry, "consort.sessions.buffered", daemon.and("atleast", Double.toString(share)),
                    "sessions buffering at least this share of limits.sessionBufferBytesMax", null,
                    s -> s.sessions().stream().filter(x -> x.bufferedBytes() >= share * s.sessionBufferBytesMax()).count());
        }
        for (String reason : snapshots.get().sessionsClosed().keySet()) {
            m.counter(registry, "consort.sessions.closed", daemon.and("reason", reason),
                    "sessions the daemon closed, by reason (slow_consumer: the slow-consumer policy)", null,
                    s -> s.sessionsClosed().getOrDefault(reason, 0L));
        }
        for (String reason : snapshots.get().dropped().keySet()) {
            m.counter(registry, "consort.datagrams.dropped", daemon.and("reason", reason),
                    "daemon datagrams dropped, by reason", null, s -> s.dropped().getOrDefault(reason, 0L));
        }
        return m;
    }

    private void gauge(MeterRegistry r, String name, Tags tags, String description, @Nullable String unit,
            ToDoubleFunction<DaemonSnapshot> f) {
        Gauge.Builder<DaemonMeters> b = Gauge.builder(name, this, x -> x.read(f)).tags(tags).description(description);
        if (unit != null) {
            b.baseUnit(unit);
        }
        b.register(r);
    }

    private void counter(MeterRegistry r, String name, Tags tags, String description, @Nullable String unit,
            ToDoubleFunction<DaemonSnapshot> f) {
        FunctionCounter.Builder<DaemonMeters> b = FunctionCounter.builder(name, this, x -> x.read(f)).tags(tags)
                .description(description);
        if (unit != null) {
            b.baseUnit(unit);
        }
        b.register(r);
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}

package io.consort.spring.autoconfigure;

import io.consort.core.ServiceLevel;
import io.consort.reactive.GroupEvent;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.GroupView;
import io.consort.reactive.OutgoingMessage;
import io.consort.reactive.RingState;
import io.consort.reactive.Session;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.concurrent.Queues;

/**
 * A {@link Session} that counts what goes through it in Micrometer, delegating everything else.
 * The auto-configuration wraps its shared session in one; wrap your own the same way.
 *
 * <p>Names and meanings are consortd's own (docs/OPERATIONS.md, "Metrics"), seen from the daemon, so a
 * dashboard puts an application's figures beside its daemon's: what the daemon <em>received</em> from
 * this session is what the application sent, what it <em>delivered</em> is what the application got.
 * {@code level} is the service level in lower case ({@code agreed}, {@code safe}, ...), as the daemon tags it.
 *
 * <ul>
 *   <li>{@code consort.messages.received{level,group}}, {@code consort.received.bytes{level,group}}: this
 *       session's multicasts the daemon accepted, and their payload bytes, once per target group;</li>
 *   <li>{@code consort.messages.delivered{level,group}}, {@code consort.delivered.bytes{level,group}}:
 *       messages delivered to this application's subscribers (a message seen by two subscriptions counts
 *       twice: it was handed over twice), and their payload bytes;</li>
 *   <li>{@code consort.ring.members}, {@code consort.ring.configuration.id}, {@code consort.ring.regular}:
 *       the session's daemon's ring as its last RING frame told it (no value from a daemon that predates
 *       session protocol 3);</li>
 *   <li>{@code consort.sends.outstanding}: multicasts sent or waiting for a send credit, not yet accepted;
 *       it grows when the daemon's flow control holds senders back (the session's side of
 *       {@code consort.ring.backlog});</li>
 *   <li>{@code consort.session.open}: 1 while the session is open, else 0.</li>
 * </ul>
 * Private names ({@code #user#daemon}) are tagged {@code group=private}, so point-to-point traffic does
 * not create one time series per peer.
 *
 * <pre>{@code
 * Session metered = new MeteredSession(session, meterRegistry);
 * metered.multicast("orders", ServiceLevel.AGREED, "buy").block();
 * meterRegistry.get("consort.messages.received").tags("group", "orders", "level", "agreed").counter().count(); // 1.0
 * }</pre>
 */
public final class MeteredSession implements Session {
    /** How many messages {@link #publish} keeps in flight: enough to fill a send window, bounded in memory. */
    private static final int PUBLISH_IN_FLIGHT = Queues.SMALL_BUFFER_SIZE;

    private final Session delegate;
    private final MeterRegistry registry;
    private final AtomicInteger outstanding = new AtomicInteger();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public MeteredSession(Session delegate, MeterRegistry registry) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.registry = Objects.requireNonNull(registry, "registry");
        Gauge.builder("consort.sends.outstanding", outstanding, AtomicInteger::get)
                .description("Multicasts not yet accepted by the daemon")
                .register(registry);
        Gauge.builder("consort.session.open", delegate, s -> s.isOpen() ? 1 : 0)
                .description("Whether the Consort session is open")
                .register(registry);
        Gauge.builder("consort.ring.members", delegate, s -> ring(s, r -> r.memberIds().size()))
                .description("Daemons in the session's daemon's configuration")
                .register(registry);
        Gauge.builder("consort.ring.configuration.id", delegate, s -> ring(s, RingState::configurationId))
                .description("The session's daemon's configuration id; every change gives a new one")
                .register(registry);
        Gauge.builder("consort.ring.regular", delegate, s -> ring(s, r -> r.regular() ? 1 : 0))
                .description("1 while the session's daemon is in a regular configuration")
                .register(registry);
    }

    private static double ring(Session s, java.util.function.ToDoubleFunction<RingState> f) {
        RingState r = s.ringState();
        return r == null ? Double.NaN : f.applyAsDouble(r);
    }

    /** The session this one counts for. */
    public Session delegate() {
        return delegate;
    }

    @Override
    public String privateName() {
        return delegate.privateName();
    }

    @Override
    public int protocolVersion() {
        return delegate.protocolVersion();
    }

    @Override
    public Mono<Void> join(String group) {
        return delegate.join(group);
    }

    @Override
    public Mono<Void> leave(String group) {
        return delegate.leave(group);
    }

    @Override
    public Mono<Void> multicast(OutgoingMessage message) {
        return Mono.defer(() -> {
            outstanding.incrementAndGet();
            return delegate.multicast(message)
                    .doOnSuccess(ignored -> message.groups().forEach(g -> count("received", g, message.level(),
                            message.payloadBytes().length)))
                    // Before the signal travels on (doFinally would run after it), so whoever sees the
                    // send complete also sees it gone from the gauge.
                    .doOnTerminate(outstanding::decrementAndGet)
                    .doOnCancel(outstanding::decrementAndGet);
        });
    }

    @Override
    public Mono<Void> publish(Publisher<OutgoingMessage> messages) {
        // Through our multicast so each message is counted when accepted; flatMap's bound keeps the
        // backpressure: a new message is requested only as one in flight completes.
        return Flux.from(messages).flatMap(this::multicast, PUBLISH_IN_FLIGHT).then();
    }

    @Override
    public Flux<RingState> ring() {
        return delegate.ring();
    }

    @Override
    public @Nullable RingState ringState() {
        return delegate.ringState();
    }

    @Override
    public Flux<GroupMessage> messages() {
        return delegate.messages().doOnNext(this::countDelivered);
    }

    @Override
    public Flux<GroupMessage> messages(String group) {
        return delegate.messages(group).doOnNext(m -> countDelivered(group, m));
    }

    @Override
    public Flux<GroupView> views(String group) {
        return delegate.views(group);
    }

    @Override
    public Flux<GroupEvent> events(String group) {
        return delegate.events(group).doOnNext(e -> {
            if (e instanceof GroupMessage m) {
                countDelivered(group, m);
            }
        });
    }

    @Override
    public Flux<GroupEvent> events() {
        return delegate.events().doOnNext(e -> {
            if (e instanceof GroupMessage m) {
                countDelivered(m);
            }
        });
    }

    @Override
    public Mono<Void> close() {
        return delegate.close();
    }

    @Override
    public Mono<Void> onClose() {
        return delegate.onClose();
    }

    @Override
    public boolean isOpen() {
        return delegate.isOpen();
    }

    /** A message of every group: counted once per destination group (its groups() are all the sender named). */
    private void countDelivered(GroupMessage m) {
        for (String g : m.groups()) {
            countDelivered(g, m);
        }
    }

    private void countDelivered(String group, GroupMessage m) {
        count("delivered", group, m.level(), m.payloadLength());
    }

    /** {@code consort.messages.<what>} by one and {@code consort.<what>.bytes} by {@code bytes}. */
    private void count(String what, String group, ServiceLevel level, int bytes) {
        String g = group.startsWith("#") ? "private" : group;
        String l = level.name().toLowerCase(Locale.ROOT);
        counter("consort.messages." + what, g, l).increment();
        counter("consort." + what + ".bytes", g, l).increment(bytes);
    }

    private Counter counter(String name, String group, String level) {
        return counters.computeIfAbsent(name + '\0' + group + '\0' + level, k -> Counter.builder(name)
                .tag("group", group).tag("level", level).baseUnit(name.endsWith(".bytes") ? "bytes" : null)
                .register(registry));
    }
}

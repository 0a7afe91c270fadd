package io.consort.spring.autoconfigure;

import io.consort.reactive.GroupEvent;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.GroupView;
import io.consort.reactive.OutgoingMessage;
import io.consort.reactive.Session;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.concurrent.Queues;

/**
 * A {@link Session} that counts what goes through it in Micrometer, delegating everything else.
 * The auto-configuration wraps its shared session in one; wrap your own the same way.
 *
 * <ul>
 *   <li>{@code consort.messages.sent{group}}: messages the daemon accepted, once per target group;</li>
 *   <li>{@code consort.messages.received{group}}: messages delivered to this application's subscribers
 *       (a message seen by two subscriptions counts twice: it was handed over twice);</li>
 *   <li>{@code consort.sends.outstanding}: multicasts sent or waiting for a send credit, not yet accepted;
 *       it grows when the daemon's flow control holds senders back;</li>
 *   <li>{@code consort.session.open}: 1 while the session is open, else 0.</li>
 * </ul>
 * Private names ({@code #user#daemon}) are tagged {@code group=private}, so point-to-point traffic does
 * not create one time series per peer.
 *
 * <pre>{@code
 * Session metered = new MeteredSession(session, meterRegistry);
 * metered.multicast("orders", ServiceLevel.AGREED, "buy").block();
 * meterRegistry.get("consort.messages.sent").tag("group", "orders").counter().count(); // 1.0
 * }</pre>
 */
public final class MeteredSession implements Session {
    /** How many messages {@link #publish} keeps in flight: enough to fill a send window, bounded in memory. */
    private static final int PUBLISH_IN_FLIGHT = Queues.SMALL_BUFFER_SIZE;

    private final Session delegate;
    private final MeterRegistry registry;
    private final AtomicInteger outstanding = new AtomicInteger();
    private final Map<String, Counter> sent = new ConcurrentHashMap<>();
    private final Map<String, Counter> received = new ConcurrentHashMap<>();

    public MeteredSession(Session delegate, MeterRegistry registry) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.registry = Objects.requireNonNull(registry, "registry");
        Gauge.builder("consort.sends.outstanding", outstanding, AtomicInteger::get)
                .description("Multicasts not yet accepted by the daemon")
                .register(registry);
        Gauge.builder("consort.session.open", delegate, s -> s.isOpen() ? 1 : 0)
                .description("Whether the Consort session is open")
                .register(registry);
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
                    .doOnSuccess(ignored -> message.groups().forEach(g -> counter(sent, "consort.messages.sent", g)
                            .increment()))
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
    public Flux<GroupMessage> messages() {
        return delegate.messages().doOnNext(m -> m.groups().forEach(this::countReceived));
    }

    @Override
    public Flux<GroupMessage> messages(String group) {
        return delegate.messages(group).doOnNext(m -> countReceived(group));
    }

    @Override
    public Flux<GroupView> views(String group) {
        return delegate.views(group);
    }

    @Override
    public Flux<GroupEvent> events(String group) {
        return delegate.events(group).doOnNext(e -> {
            if (e instanceof GroupMessage) {
                countReceived(group);
            }
        });
    }

    @Override
    public Flux<GroupEvent> events() {
        return delegate.events().doOnNext(e -> {
            if (e instanceof GroupMessage m) {
                m.groups().forEach(this::countReceived);
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

    private void countReceived(String group) {
        counter(received, "consort.messages.received", group).increment();
    }

    private Counter counter(Map<String, Counter> cache, String name, String group) {
        String tag = group.startsWith("#") ? "private" : group;
        return cache.computeIfAbsent(tag, t -> Counter.builder(name).tag("group", t).register(registry));
    }
}

package io.consort.reactive;

import io.consort.core.ServiceLevel;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One connection to a daemon, with a unique private name. A session joins and leaves groups,
 * multicasts, and receives as backpressured streams. All methods are safe from any thread.
 *
 * <p>Streams ({@link #messages}, {@link #views}, {@link #events}) are live, not replayed: each
 * subscription sends one SUBSCRIBE and opens its own stream at the daemon, which delivers the events
 * ordered after the daemon opened it, nothing from before, as fast as the subscriber requests them
 * (each {@code request(n)} becomes a CREDIT of n for that stream). Two subscribers to the same group
 * each get every event from their subscription on; a slow one never stalls the other. Subscribe
 * before you join to see your own join view. Cancelling a subscription sends one CANCEL and closes
 * only that stream; the session and its groups stay. Streams complete when the session closes
 * cleanly and fail with the session's {@link io.consort.core.ConsortException} otherwise.
 *
 * <p>Threads: every signal of a stream, and the completion of every {@link reactor.core.publisher.Mono}
 * this interface returns, arrives on the session connection's Netty event loop thread (Reactor
 * Netty's TCP loops, or the in-JVM transport's loop), one thread per session, never two at once.
 * Do not block in a subscriber: it holds up every stream of the session (and of the sessions sharing
 * that loop); use {@code publishOn} to move heavy work elsewhere.
 *
 * <pre>{@code
 * Session session = ConsortClient.create().port(4803).name("alice").connect().block();
 * session.messages("chat").map(GroupMessage::text).subscribe(System.out::println);
 * session.join("chat")
 *        .then(session.multicast("chat", ServiceLevel.AGREED, "hello"))
 *        .block();
 * session.close().block();
 * }</pre>
 */
public interface Session {
    /** This session's private name, {@code #user#daemon}; also the name of its private group. */
    String privateName();

    /**
     * The session protocol version this session and its daemon agreed on in the handshake (the
     * daemon's WELCOME names it): 3 with a daemon of this release, 2 with one that predates
     * version negotiation. 0 if not known.
     */
    default int protocolVersion() {
        return 0;
    }

    /**
     * The ring state of this session's daemon: the latest one at once on subscription, then every change
     * (phase, configuration, members), as the daemon's RING frames tell it. Completes when the session closes
     * (fails as {@link #onClose()} does). A daemon that speaks session protocol 2 or older
     * ({@link #protocolVersion()} {@code < 3}) never sends one: the stream stays empty until the session closes.
     * Signals arrive on the session's event loop thread, like every other stream's (see above).
     *
     * <pre>{@code
     * session.ring().filter(r -> !r.regular())
     *        .subscribe(r -> log.warn("daemon {} is re-forming its ring ({})", r.daemon(), r.phase()));
     * }</pre>
     */
    default Flux<RingState> ring() {
        return onClose().thenMany(Flux.empty());
    }

    /**
     * The latest ring state the daemon told this session, or null if it has told none (a daemon that
     * speaks protocol 2 or older, or not yet: the first RING frame follows WELCOME at once). Safe from any thread.
     */
    default @org.jspecify.annotations.Nullable RingState ringState() {
        return null;
    }

    /** Joins {@code group}; completes once the view with this session in it is installed. */
    Mono<Void> join(String group);

    /** Leaves {@code group}; completes once this session's own leave is installed. */
    Mono<Void> leave(String group);

    /** Sends {@code message}; completes when the daemon has accepted it (taken its place in the order). */
    Mono<Void> multicast(OutgoingMessage message);

    /** Sends UTF-8 {@code text} to {@code group} at {@code level}. */
    default Mono<Void> multicast(String group, ServiceLevel level, String text) {
        return multicast(OutgoingMessage.to(group).level(level).text(text));
    }

    /**
     * Sends every message of {@code messages}, requesting more only as the daemon accepts them
     * (at most the send window outstanding); completes when all were accepted, fails at the first
     * refusal.
     */
    Mono<Void> publish(Publisher<OutgoingMessage> messages);

    /** Every message of every group this session is in, and of its private group: a live stream, one SUBSCRIBE per subscription. */
    Flux<GroupMessage> messages();

    /** The messages of {@code group} (or of this session's private name), from the subscription on. */
    Flux<GroupMessage> messages(String group);

    /** The regular views of {@code group} installed from the subscription on. */
    Flux<GroupView> views(String group);

    /** Messages, views and transitional signals of {@code group}, in the group's one order. */
    Flux<GroupEvent> events(String group);

    /** Messages, views and transitional signals of every group, in order. */
    Flux<GroupEvent> events();

    /**
     * Says goodbye and closes: the other members see this session LEAVE its groups. Streams
     * complete; requests not yet answered fail.
     */
    Mono<Void> close();

    /**
     * Completes when the session is closed by {@link #close()}; fails with a
     * {@link io.consort.core.ConsortException} saying why if the daemon closed it or the
     * connection was lost.
     */
    Mono<Void> onClose();

    /** Whether the session is still open. */
    boolean isOpen();
}

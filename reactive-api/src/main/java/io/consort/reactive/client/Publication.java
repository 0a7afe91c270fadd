package io.consort.reactive.client;

import io.consort.core.ConsortException;
import io.consort.reactive.OutgoingMessage;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.MonoSink;
import reactor.util.concurrent.Queues;

/**
 * One {@code publish(messages)}: the single subscriber to the caller's stream.
 *
 * <p>It keeps at most the session's send window requested and not yet accepted by the daemon, as
 * {@code flatMap(multicast, window)} did, but without what that cost per message on the sender's
 * profile: a {@code Mono}, a task hop onto the event loop, a flush, and flatMap's drain loop
 * scanning its whole set of inner subscribers on every completion (47 % of the sending process's
 * CPU samples). Messages arrive on the caller's thread into a single-producer queue (onNext calls
 * are serial by the Reactive Streams rules); one loop task drains whatever arrived and hands it to
 * the session as one batch (one write, one flush). Acceptances come back per SEND_CREDIT frame and
 * are turned into one {@code request(n)} per frame.
 *
 * <p>Everything but the queue, the work counter and the upstream's terminal flags lives on the loop.
 * The {@code Mono} completes once the stream completed and the daemon accepted every message; the
 * first failure (a refused message, a lost connection, an upstream error) fails it and cancels the
 * stream; messages already handed to the session stay sent, as they did with flatMap.
 */
final class Publication implements CoreSubscriber<OutgoingMessage>, DefaultSession.Ack {
    private final DefaultSession session;
    private final EventLoop loop;
    private final MonoSink<Void> sink;
    private final int window;
    private final Queue<OutgoingMessage> arrived = Queues.<OutgoingMessage>unbounded(256).get();
    private final AtomicInteger wip = new AtomicInteger();
    private volatile @Nullable Subscription upstream;
    private volatile boolean upstreamDone;
    private volatile @Nullable Throwable upstreamError;
    // Loop only:
    private long outstanding;
    /** Requested from upstream and not yet accepted by the daemon (arrived or not). */
    private long inFlight;
    /** Payload bytes of the messages arrived and not yet accepted, and their sizes in acceptance order. */
    private long outstandingBytes;
    private final java.util.ArrayDeque<Integer> sizes = new java.util.ArrayDeque<>();
    private boolean terminated;
    private int lastSize;

    /**
     * The most payload bytes a publication holds in the client (arrived from upstream, not yet accepted by
     * the daemon) before it stops asking upstream for more. The send window counts messages (2048 by
     * default): of 1 MiB messages that would be 2 GiB in the client's heap. Requests go up in steps of at
     * most {@link #REQUEST_STEP} so that a synchronous source cannot overshoot the bound by a whole window.
     */
    static final long CLIENT_BYTES_MAX = 16L << 20;
    static final int REQUEST_STEP = 256;
    static final int FIRST_STEP = 16;

    Publication(DefaultSession session, EventLoop loop, MonoSink<Void> sink, int window) {
        this.session = session;
        this.loop = loop;
        this.sink = sink;
        this.window = window;
    }

    @Override
    public void onSubscribe(Subscription s) {
        upstream = s;
        loop.execute(() -> {
            if (terminated) {
                s.cancel();
            } else if (!session.isOpenOnLoop()) {
                terminate(session.closedErrorOnLoop());
            } else {
                session.publications.add(this);
                topUp();
            }
        });
    }

    @Override
    public void onNext(OutgoingMessage m) {
        arrived.offer(m);
        schedule();
    }

    @Override
    public void onError(Throwable t) {
        upstreamError = t;
        upstreamDone = true;
        schedule();
    }

    @Override
    public void onComplete() {
        upstreamDone = true;
        schedule();
    }

    private void schedule() {
        if (wip.getAndIncrement() == 0) {
            loop.execute(this::drain);
        }
    }

    private void drain() {
        int missed = 1;
        do {
            drainOnce();
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private void drainOnce() {
        boolean done = upstreamDone; // read before polling: what came before the terminal signal is then visible
        boolean queued = false;
        OutgoingMessage m;
        while (!terminated && (m = arrived.poll()) != null) {
            outstanding++;
            int size = m.payloadBytes().length;
            outstandingBytes += size;
            sizes.add(size);
            lastSize = size;
            queued |= session.enqueue(m, this);
        }
        if (queued) {
            session.pump(); // even after a refusal: the messages before it go, as they did one Mono each
        }
        if (terminated) {
            arrived.clear();
            return;
        }
        topUp();
        if (done && arrived.isEmpty()) {
            Throwable e = upstreamError;
            if (e != null) {
                terminate(e);
            } else if (outstanding == 0) {
                terminate(null);
            }
        }
    }

    @Override
    public void accepted() {
        if (!terminated) {
            outstanding--;
            inFlight--;
            Integer size = sizes.poll();
            outstandingBytes -= size == null ? 0 : size;
        }
    }

    /**
     * Asks upstream for what the window and the byte bound allow, in steps: on the loop, after a drain and
     * after each SEND_CREDIT's acceptances (never per message).
     */
    private void topUp() {
        Subscription s = upstream;
        if (terminated || s == null || upstreamDone || outstandingBytes >= CLIENT_BYTES_MAX) {
            return;
        }
        // Messages requested but not arrived yet have an unknown size: ask for the next step only once the
        // previous one has arrived, so a burst of large ones overshoots the bound by one step at most.
        long notArrived = inFlight - outstanding;
        long step = FIRST_STEP; // until a message's size is known
        if (lastSize > 0) {
            // Sized by the last message: large messages are asked for a few at a time.
            step = Math.max(1, Math.min(REQUEST_STEP, (CLIENT_BYTES_MAX - outstandingBytes) / lastSize));
        }
        long n = Math.min(window - inFlight, step - notArrived);
        if (n > 0) {
            inFlight += n;
            s.request(n);
        }
    }

    @Override
    public void failed(ConsortException error) {
        terminate(error);
    }

    /** On the loop, after a SEND_CREDIT's acceptances: one request for all of them, or completion. */
    static void afterAcceptances(List<Publication> publications) {
        for (int i = publications.size() - 1; i >= 0; i--) {
            publications.get(i).afterAcceptance();
        }
    }

    private void afterAcceptance() {
        if (terminated) {
            return;
        }
        boolean done = upstreamDone;
        if (done && arrived.isEmpty()) {
            if (outstanding == 0) {
                drainOnce(); // completes, or fails with the upstream's error
            }
            return;
        }
        topUp();
    }

    /** The session's connection is gone (on the loop). */
    void fail(ConsortException error) {
        terminate(error);
    }

    /** The publish Mono's subscriber cancelled (any thread). */
    void cancel() {
        loop.execute(() -> {
            if (!terminated) {
                terminated = true;
                session.publications.remove(this);
                Subscription s = upstream;
                if (s != null) {
                    s.cancel();
                }
            }
        });
    }

    private void terminate(@Nullable Throwable error) {
        if (terminated) {
            return;
        }
        terminated = true;
        session.publications.remove(this);
        if (error == null) {
            sink.success();
            return;
        }
        Subscription s = upstream;
        if (s != null) {
            s.cancel();
        }
        sink.error(error);
    }
}

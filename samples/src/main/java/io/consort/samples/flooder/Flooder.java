package io.consort.samples.flooder;

import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.OutgoingMessage;
import io.consort.reactive.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Floods a group from one session and measures at {@code receivers} others, all through one
 * daemon and all in this JVM (the latency stamps are {@link System#nanoTime()}).
 *
 * <p>The sender publishes one {@code Flux} with {@link Session#publish}, so it is held back by the
 * daemon's send credits and never outruns it. With a rate, messages are due at fixed times and
 * stamped with the time they were due, not the time they went out: a sender held back by the
 * daemon then shows as latency instead of hiding it (coordinated omission, as wrk2 corrects it).
 * Flat out, each message is stamped when it is made, just before it is handed to the session.
 *
 * <pre>{@code
 * FlooderResult r = new Flooder(ConsortClient.create().port(daemon.port()),
 *         FlooderConfig.defaults().withMessages(10_000).withWarmup(1_000)).run();
 * System.out.println(r.summaryLine());
 * }</pre>
 */
public final class Flooder {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final ConsortClient client;
    private final FlooderConfig config;

    /** A run of {@code config} against the daemon {@code client} reaches. */
    public Flooder(ConsortClient client, FlooderConfig config) {
        this.client = Objects.requireNonNull(client, "client");
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Runs once, bounded by the config's timeout.
     *
     * @throws IllegalStateException if a receiver got a message out of order, twice or never, or the
     *                               run did not finish in time; the message says which and how far each got
     */
    public FlooderResult run() throws InterruptedException {
        long deadline = System.nanoTime() + config.timeout().toNanos();
        // Names unique per run, so that two flooders can share a daemon.
        String run = UUID.randomUUID().toString().substring(0, 6);
        List<Session> sessions = new ArrayList<>();
        Scheduler pacer = Schedulers.newSingle("flooder-pacer-" + run);
        try {
            List<Receiver> receivers = new ArrayList<>();
            List<CompletableFuture<Void>> received = new ArrayList<>();
            for (int i = 1; i <= config.receivers(); i++) {
                Session s = connect("r" + i + "-" + run, sessions);
                Receiver r = new Receiver(s.privateName(), config.level(), config.total(), config.warmup(),
                        config.sizeBytes());
                receivers.add(r);
                // Subscribed before the join, and batches of credits as a real consumer would request them.
                received.add(s.messages(config.group())
                        .limitRate(1024)
                        .take(config.total())
                        .doOnNext(r::onMessage)
                        .then()
                        .toFuture());
                s.join(config.group()).block(REQUEST_TIMEOUT);
            }
            Session sender = connect("s-" + run, sessions);

            Generator generator = new Generator();
            CompletableFuture<Void> sent = sender.publish(Flux.generate(generator::next).subscribeOn(pacer))
                    .toFuture();

            CompletableFuture<Void> all = CompletableFuture.allOf(received.toArray(CompletableFuture[]::new));
            try {
                CompletableFuture.allOf(all, sent).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException("flooder failed: " + e.getCause().getMessage() + "; "
                        + progress(receivers), e.getCause());
            } catch (TimeoutException e) {
                // UNRELIABLE may lose messages: once everything was sent, missing ones are a result, not a failure.
                if (!(config.level() == ServiceLevel.UNRELIABLE && sent.isDone() && !sent.isCompletedExceptionally())) {
                    throw new IllegalStateException("flooder did not finish within " + config.timeout() + ": sent "
                            + (sent.isDone() ? "all" : generator.made + " of " + config.total()) + "; "
                            + progress(receivers));
                }
            }

            Histogram latency = new Histogram(3);
            long lastArrival = Long.MIN_VALUE;
            long missing = 0;
            List<Long> counts = new ArrayList<>();
            // Reading what the receivers wrote is ordered after their writes by the futures' completion,
            // except for an UNRELIABLE run cut off by its bound, where the figures are a snapshot.
            for (Receiver r : receivers) {
                latency.add(r.latencyNanos());
                lastArrival = Math.max(lastArrival, r.lastArrivalNanos());
                missing += r.missing();
                counts.add(r.received());
            }
            return new FlooderResult(config, lastArrival - generator.firstMeasuredNanos, latency, counts, missing);
        } finally {
            for (Session s : sessions) {
                s.close().block(REQUEST_TIMEOUT);
            }
            pacer.dispose();
        }
    }

    private Session connect(String name, List<Session> sessions) {
        Session s = client.name(name).connect().block(REQUEST_TIMEOUT);
        sessions.add(Objects.requireNonNull(s, "session"));
        return s;
    }

    private static String progress(List<Receiver> receivers) {
        StringBuilder b = new StringBuilder("received:");
        for (Receiver r : receivers) {
            b.append(' ').append(r.name()).append('=').append(r.received());
        }
        return b.toString();
    }

    /**
     * Makes the messages on the pacer thread, one per request, on time when a rate is set. Only the
     * pacer thread calls {@link #next}; the volatile fields are read by the run's thread.
     */
    private final class Generator {
        private long startNanos;
        volatile long made;
        volatile long firstMeasuredNanos;

        void next(SynchronousSink<OutgoingMessage> sink) {
            long i = made;
            if (i == config.total()) {
                sink.complete();
                return;
            }
            long stamp;
            long rate = config.ratePerSecond();
            if (rate > 0) {
                if (i == 0) {
                    startNanos = System.nanoTime();
                }
                // Due times come from the start, not the previous message, so late wake-ups never add up.
                long due = startNanos + i * 1_000_000_000L / rate;
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                stamp = due;
            } else {
                stamp = System.nanoTime();
            }
            if (i == config.warmup()) {
                firstMeasuredNanos = stamp;
            }
            made = i + 1;
            sink.next(OutgoingMessage.to(config.group())
                    .level(config.level())
                    .payload(Payloads.encode(i, stamp, config.sizeBytes())));
        }
    }
}

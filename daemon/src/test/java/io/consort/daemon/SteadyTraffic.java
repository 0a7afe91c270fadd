package io.consort.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.OutgoingMessage;
import io.consort.reactive.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Two well-behaved sessions on the real client API: a producer that multicasts a numbered message
 * to a group every millisecond or so, and a consumer that records what it receives. At the end,
 * {@link #stopAndVerify()} checks that every accepted message arrived once and in order, and that
 * both sessions are still open: whatever happened to others meanwhile cost them nothing.
 */
final class SteadyTraffic implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    static final String GROUP = "steady";

    private final Session producer;
    private final Session consumer;
    private final List<Integer> received = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger accepted = new AtomicInteger();
    private final Sinks.Empty<Void> done = Sinks.empty();
    private final Disposable receiving;

    SteadyTraffic(int port, Duration interval) {
        ConsortClient client = ConsortClient.create().port(port);
        producer = client.name("producer").connect().block(TIMEOUT);
        consumer = client.name("consumer").connect().block(TIMEOUT);
        receiving = consumer.messages(GROUP).map(m -> Integer.parseInt(m.text())).subscribe(received::add);
        consumer.join(GROUP).block(TIMEOUT);
        Flux.interval(interval)
                .onBackpressureDrop()
                .takeWhile(i -> running.get())
                .index()
                .concatMap(t -> producer.multicast(OutgoingMessage.to(GROUP).level(ServiceLevel.FIFO)
                        .text(Integer.toString(t.getT1().intValue()))).doOnSuccess(v -> accepted.incrementAndGet()), 1)
                .then()
                .subscribe(v -> { }, e -> done.tryEmitError(e), done::tryEmitEmpty);
        await().atMost(TIMEOUT).until(() -> received.size() >= 5);
    }

    /** Messages accepted so far. */
    int accepted() {
        return accepted.get();
    }

    /** Stops the producer and checks that the consumer got every accepted message, in order, with none lost. */
    void stopAndVerify() {
        running.set(false);
        Mono<Void> finished = done.asMono();
        finished.block(TIMEOUT);
        int n = accepted.get();
        await().atMost(TIMEOUT).until(() -> received.size() >= n);
        assertThat(List.copyOf(received)).as("the steady consumer's messages").isEqualTo(IntStream.range(0, n).boxed().toList());
        assertThat(n).as("messages the steady producer got accepted").isGreaterThan(5);
        assertThat(producer.isOpen()).as("producer still open").isTrue();
        assertThat(consumer.isOpen()).as("consumer still open").isTrue();
    }

    @Override
    public void close() {
        running.set(false);
        receiving.dispose();
        producer.close().block(TIMEOUT);
        consumer.close().block(TIMEOUT);
    }
}

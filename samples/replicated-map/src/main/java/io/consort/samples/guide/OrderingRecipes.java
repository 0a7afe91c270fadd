package io.consort.samples.guide;

import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.GroupView;
import io.consort.reactive.OutgoingMessage;
import io.consort.reactive.PayloadCodec;
import io.consort.reactive.Session;
import io.consort.reactive.TransitionalSignal;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The recipes of docs/GUIDE.md, "Composing ordering levels with operators". The regions between
 * {@code tag::name[]} and {@code end::name[]} are quoted in the guide verbatim; a test fails when the
 * two differ, so the guide cannot drift from code that compiles and runs.
 *
 * <pre>{@code
 * OrderingRecipes.agreedTexts(session, "prices").subscribe(System.out::println);
 * }</pre>
 */
public final class OrderingRecipes {
    private OrderingRecipes() {
    }

    /** A sensor reading, sent as JSON. */
    public record Reading(String sensor, long micros, double value) {
    }

    /** A view and the messages delivered in it, up to the next view. */
    public record Epoch(GroupView view, List<GroupMessage> messages) {
    }

    // tag::filter-by-level[]
    /** The texts of the totally ordered (AGREED or SAFE) messages of {@code group}; the rest are ignored. */
    public static Flux<String> agreedTexts(Session session, String group) {
        return session.messages(group)
                .filter(m -> m.level().isTotallyOrdered())
                .map(GroupMessage::text);
    }
    // end::filter-by-level[]

    // tag::buffer-until-view[]
    /** The group's history cut into epochs: each starts with a view and holds the messages delivered in it. */
    public static Flux<Epoch> epochs(Session session, String group) {
        return session.events(group)
                .filter(e -> !(e instanceof TransitionalSignal))
                .bufferUntil(e -> e instanceof GroupView, true) // cut before each view
                .filter(batch -> batch.get(0) instanceof GroupView) // events before the first view, if any
                .map(batch -> new Epoch((GroupView) batch.get(0), batch.subList(1, batch.size()).stream()
                        .map(GroupMessage.class::cast)
                        .toList()));
    }
    // end::buffer-until-view[]

    // tag::concat-map-in-order[]
    /**
     * Applies each AGREED message with {@code apply}, an asynchronous step (a database write, say), one
     * at a time: concatMap subscribes to the next step only when the previous one completed, so every
     * replica applies the same messages in the same order whatever each step's latency.
     */
    public static Flux<Void> applyInOrder(Session session, String group, Function<GroupMessage, Mono<Void>> apply) {
        return session.messages(group)
                .filter(m -> m.level() == ServiceLevel.AGREED)
                .concatMap(apply);
    }
    // end::concat-map-in-order[]

    // tag::publish-with-backpressure[]
    private static final PayloadCodec<Reading> READINGS = PayloadCodec.json(Reading.class);

    /**
     * Sends every reading FIFO: {@code publish} requests a reading from upstream only as the daemon accepts
     * earlier ones, so a fast source is slowed to what the group can take instead of filling memory.
     */
    public static Mono<Void> publishReadings(Session session, Flux<Reading> readings) {
        return session.publish(readings.map(r -> OutgoingMessage.to("sensors")
                .level(ServiceLevel.FIFO)
                .payload(r, READINGS)));
    }
    // end::publish-with-backpressure[]

    // tag::retry-connect[]
    /**
     * Connects, retrying with exponential backoff while the daemon cannot be reached (it is starting, or
     * restarting); a refusal that retrying cannot fix, such as a private name already taken, fails at once.
     */
    public static Mono<Session> connectWithRetry(ConsortClient client) {
        return client.connect()
                .retryWhen(Retry.backoff(20, Duration.ofMillis(50))
                        .maxBackoff(Duration.ofSeconds(2))
                        .filter(e -> !(e instanceof ConsortException ce
                                && ce.code() == ErrorCode.DUPLICATE_PRIVATE_NAME)));
    }
    // end::retry-connect[]
}

package io.consort.samples.tour;

import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupView;
import io.consort.reactive.OutgoingMessage;
import io.consort.reactive.PayloadCodec;
import io.consort.reactive.Session;
import io.consort.daemon.EmbeddedDaemon;
import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Flux;

/**
 * The tour of the API that README.md shows, kept here so that it compiles and runs
 * ({@code TourTest}). Run it with {@code java -cp samples/target/consort-samples.jar io.consort.samples.tour.Tour}.
 */
public final class Tour {
    /** A typed payload, sent as JSON. */
    public record Order(String symbol, int quantity) {
    }

    private Tour() {
    }

    /** Runs the tour against its own embedded daemon and returns what Bob received. */
    public static List<String> run() {
        // tour:start
        try (EmbeddedDaemon daemon = EmbeddedDaemon.startEphemeral()) {       // or a running consortd
            ConsortClient client = ConsortClient.create().port(daemon.port());
            Session alice = client.name("alice").connect().block();
            Session bob = client.name("bob").connect().block();

            // Subscribe first (streams are hot), then join: Bob sees his own join view.
            Flux<GroupView> views = bob.views("orders");
            Flux<String> received = bob.messages("orders")
                    .filter(m -> m.level() == ServiceLevel.AGREED)          // levels compose with operators
                    .map(m -> m.decode(PayloadCodec.json(Order.class)))
                    .map(o -> o.quantity() + " " + o.symbol())
                    .take(3)
                    .cache();
            received.subscribe();
            views.take(1).subscribe(v -> System.out.println("bob's view: " + v.members()));
            bob.join("orders").block();

            // Publish a whole Flux with backpressure: at most the send window is outstanding.
            alice.publish(Flux.just(new Order("ACME", 100), new Order("INIT", 5), new Order("ACME", 7))
                            .map(o -> OutgoingMessage.to("orders")
                                    .level(ServiceLevel.AGREED)
                                    .payload(o, PayloadCodec.json(Order.class))))
                    .block();

            List<String> got = received.collectList().block(Duration.ofSeconds(10));
            alice.close().block();
            bob.close().block();
            return got;
        }
        // tour:end
    }

    /** Prints what Bob received. */
    public static void main(String[] args) {
        run().forEach(System.out::println);
    }
}

package io.consort.samples.map;

import io.consort.reactive.ConsortClient;
import io.consort.daemon.EmbeddedDaemon;
import java.time.Duration;
import reactor.core.publisher.Flux;

/**
 * Runs the replicated map, a set of three replicas: the first alone is not primary (one of three is no
 * majority), the second makes a majority; the two write, a third joins late and receives the state, all three
 * print the same map. With no argument it starts an embedded daemon; {@code --port N} uses a running one.
 *
 * <pre>{@code
 * java -jar samples/replicated-map/target/consort-replicated-map.jar            # embedded daemon
 * java -jar samples/replicated-map/target/consort-replicated-map.jar --port 4803
 * }</pre>
 */
public final class ReplicatedMapDemo {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ReplicatedMapDemo() {
    }

    public static void main(String[] args) {
        EmbeddedDaemon daemon = null;
        int port;
        if (args.length == 2 && args[0].equals("--port")) {
            port = Integer.parseInt(args[1]);
        } else {
            daemon = EmbeddedDaemon.startEphemeral();
            port = daemon.port();
        }
        try {
            ConsortClient client = ConsortClient.create().port(port);
            ReplicatedMap a = ReplicatedMap.join(client.name("replica-a").connect().block(TIMEOUT), "inventory", 3)
                    .block(TIMEOUT);
            ReplicatedMap b = ReplicatedMap.join(client.name("replica-b").connect().block(TIMEOUT), "inventory", 3)
                    .block(TIMEOUT);
            Flux.range(0, 100).flatMap(i -> (i % 2 == 0 ? a : b).put("item-" + (i % 10), "count-" + i), 8)
                    .blockLast(TIMEOUT);
            ReplicatedMap c = ReplicatedMap.join(client.name("replica-c").connect().block(TIMEOUT), "inventory", 3)
                    .block(TIMEOUT);
            System.out.println("late joiner replica-c received the state at version " + c.version());
            c.remove("item-0").then(a.put("item-10", "new")).block(TIMEOUT);
            Flux.just(a, b, c).flatMap(r -> r.awaitVersion(102)).blockLast(TIMEOUT);
            System.out.println("replica-a " + a.version() + " " + new java.util.TreeMap<>(a.entries()));
            System.out.println("replica-b " + b.version() + " " + new java.util.TreeMap<>(b.entries()));
            System.out.println("replica-c " + c.version() + " " + new java.util.TreeMap<>(c.entries()));
            System.out.println(a.entries().equals(b.entries()) && b.entries().equals(c.entries())
                    ? "all three replicas are identical" : "REPLICAS DIFFER");
        } finally {
            if (daemon != null) {
                daemon.close();
            }
        }
    }
}

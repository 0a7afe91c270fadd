package io.consort.bench.harness;

import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.OutgoingMessage;
import io.consort.reactive.Session;
import io.consort.daemon.EmbeddedDaemon;
import io.consort.transport.udp.Consortd;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * One Consort client process of the comparison, using the reactive client against a consortd.
 * A receiver subscribes to the group's messages (credits in batches of 1024, as a real consumer
 * requests them), joins, prints {@code READY}, checks and measures every message and prints one
 * {@code RESULT} line. The sender (index 0) is not a member: it publishes {@code warmup + count}
 * messages as one {@code Flux} with {@link Session#publish}, held back only by the daemon's send
 * credits, and prints {@code SENT}. Both then wait for standard input to close before they leave.
 *
 * <p>With {@code --senders N} (N > 1), the processes with index 0..N-1 are members that both send
 * and receive, one per daemon: each joins, waits for the view of all N, prints {@code READY},
 * publishes its own numbered stream ({@link Payload#tag}) and checks every sender's stream.
 */
@Command(name = "consort-member", mixinStandardHelpOptions = true,
        description = "One Consort client process (started by 'compare'; runnable alone against a consortd).")
public final class ConsortMember implements Callable<Integer> {
    @Option(names = "--index", required = true, description = "0 is the sender; others receive.")
    int index;

    @Option(names = "--host", defaultValue = "127.0.0.1")
    String host;

    @Option(names = "--port", defaultValue = "0", description = "Client port of the consortd this process uses.")
    int port;

    @Option(names = "--embedded-daemon", split = " ", description = "consortd's arguments for a daemon this process "
            + "hosts itself (consort-embedded): its session connects in-process, without TCP, and it both sends "
            + "(index below --senders) and receives, as a JGroups member does.")
    List<String> embeddedDaemon = List.of();

    @Option(names = "--group", defaultValue = "bench")
    String group;

    @Option(names = "--level", defaultValue = "AGREED")
    ServiceLevel level;

    @Option(names = "--system", defaultValue = "consort", description = "Label in the result line.")
    String system;

    @Mixin
    FloodOptions flood = new FloodOptions();

    @Option(names = "--timeout-s", defaultValue = "120")
    long timeoutSeconds;

    @Option(names = "--expect-members", defaultValue = "0", description = "Receivers: wait for a view of the "
            + "group with this many members before READY. The sender: join, wait for this many plus itself "
            + "(so its daemon is in the same ring as the receivers'), and leave before sending.")
    int expectMembers;

    @Option(names = "--senders", defaultValue = "1", description = "How many members send; above 1, the "
            + "processes with index below it are members that send and receive.")
    int senders;

    @Override
    public Integer call() throws Exception {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        Duration requestTimeout = Duration.ofSeconds(20);
        EmbeddedDaemon daemon = embeddedDaemon.isEmpty() ? null
                : Consortd.startEmbedded(embeddedDaemon.toArray(String[]::new));
        ConsortClient client = daemon != null ? ConsortClient.create().inJvm(daemon.inJvmAddress())
                : ConsortClient.create().host(host).port(port);
        Session s = Objects.requireNonNull(client.name("b" + index).connect().block(requestTimeout), "session");
        try {
            boolean sendsToo = (senders > 1 || daemon != null) && index < senders;
            if (index == 0 && !sendsToo) {
                return send(s, deadline);
            }
            ReceiverStats stats = flood.receiverStats(senders);
            long total = flood.perSender() * senders;
            s.messages(group)
                    .limitRate(1024)
                    .take(total)
                    .subscribe(m -> stats.onMessage(m.payloadBuffer()), e -> {
                        System.out.println("ERROR " + e);
                        stats.fail(String.valueOf(e.getMessage()));
                    });
            var viewed = s.views(group).filter(v -> v.members().size() >= expectMembers).next().toFuture();
            s.join(group).block(requestTimeout);
            viewed.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            s.views(group).filter(v -> v.cause() == io.consort.core.ViewCause.NETWORK)
                    .subscribe(v -> stats.onConfigurationChange(), e -> { });
            System.out.println("READY " + s.privateName());
            System.out.flush();
            if (sendsToo) {
                publish(s, deadline);
            }
            boolean ok = stats.await(Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
            System.out.println(stats.resultLine(system, "receiver", index));
            System.out.flush();
            MemberIo.awaitStdinClosed(deadline);
            return ok ? 0 : 1;
        } finally {
            s.close().block(requestTimeout);
            if (daemon != null) {
                daemon.close();
            }
        }
    }

    private int send(Session s, long deadline) throws Exception {
        if (expectMembers > 0) {
            var viewed = s.views(group).filter(v -> v.members().size() >= expectMembers + 1).next().toFuture();
            s.join(group).block(Duration.ofSeconds(20));
            viewed.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            s.leave(group).block(Duration.ofSeconds(20));
        }
        System.out.println("READY " + s.privateName());
        System.out.flush();
        publish(s, deadline);
        MemberIo.awaitStdinClosed(deadline);
        return 0;
    }

    /** Publishes this member's {@code warmup + count} messages as one Flux, then prints {@code SENT}. */
    private void publish(Session s, long deadline) throws Exception {
        Scheduler pacerThread = Schedulers.newSingle("bench-pacer");
        try {
            Pacer pacer = new Pacer(flood.rate);
            long total = flood.perSender();
            Flux<OutgoingMessage> messages = Flux.<OutgoingMessage, Long>generate(() -> 0L, (i, sink) -> {
                if (i == total) {
                    sink.complete();
                } else {
                    sink.next(OutgoingMessage.to(group).level(level)
                            .payloadWithoutCopy(flood.payload(index, i, pacer)));
                }
                return i + 1;
            }).subscribeOn(pacerThread);
            s.publish(messages).toFuture().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            System.out.println("SENT " + total);
            System.out.flush();
        } finally {
            pacerThread.dispose();
        }
    }
}

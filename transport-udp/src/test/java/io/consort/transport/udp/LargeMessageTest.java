package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.EngineConfig;
import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.OutgoingMessage;
import io.consort.reactive.Session;
import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * Issue 4, item 1: a message as large as the configured maximum, 16 MiB here, crosses three daemons
 * over real UDP on loopback in 1400-byte datagrams (about 12,000 fragments), arrives whole at every
 * receiver in its sender's order, and does not hold up another sender's traffic: the other
 * daemon's small messages keep being delivered while it is in transfer.
 */
class LargeMessageTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX = 16 << 20;
    private final List<EmbeddedDaemon> daemons = new ArrayList<>();
    private final List<Session> sessions = new ArrayList<>();

    @AfterEach
    void stop() {
        sessions.forEach(s -> s.close().block(TIMEOUT));
        daemons.forEach(EmbeddedDaemon::close);
    }

    private void startThree() throws Exception {
        Map<Integer, InetSocketAddress> addresses = UdpDaemonNetworkTest.freeAddresses(3);
        for (int id : addresses.keySet()) {
            UdpDaemonNetwork net = UdpDaemonNetwork.create(UdpOptions.of(id, addresses));
            EngineConfig engine = EngineConfig.defaults().withClustered(true).withDaemonId(id).withDaemonName("d" + id)
                    .withIncarnation(System.currentTimeMillis()).withMaxMessageBytes(MAX)
                    // A receiver may hold a whole large message plus the traffic around it.
                    .withSessionBufferBytesMax(4L * MAX);
            daemons.add(EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withEngine(engine), net));
        }
        await().atMost(TIMEOUT).until(() -> {
            for (EmbeddedDaemon d : daemons) {
                if (!d.configurationMembers().equals(List.of(1, 2, 3))) {
                    return false;
                }
            }
            return true;
        });
    }

    private Session connect(int daemon, String name) {
        Session s = ConsortClient.create().port(daemons.get(daemon).port()).name(name).connect().block(TIMEOUT);
        sessions.add(s);
        return s;
    }

    private static byte[] small(String tag, int i) {
        return ByteBuffer.allocate(16).putInt(tag.charAt(0)).putInt(i).array();
    }

    @Test
    void aSixteenMebibyteMessageArrivesWholeEverywhereWithoutStallingOtherTraffic() throws Exception {
        startThree();
        Session big = connect(0, "big");
        Session chatty = connect(1, "chatty");
        Session r3 = connect(2, "r3");
        Session r2 = connect(1, "r2");
        var allFour = r3.views("g").filter(v -> v.members().size() == 4).next().toFuture();
        for (Session s : List.of(big, chatty, r3, r2)) {
            s.join("g").block(TIMEOUT);
        }
        allFour.get(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);

        byte[] payload = new byte[MAX];
        new SplittableRandom(16).nextBytes(payload);
        // Each receiver records, in delivery order, "B" for the big message (checked whole) and
        // the index of each of chatty's small messages; and big's own markers before and after.
        List<List<String>> seen = List.of(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
        List<Disposable> subs = new ArrayList<>();
        List<Session> receivers = List.of(r3, r2);
        for (int k = 0; k < receivers.size(); k++) {
            List<String> log = seen.get(k);
            subs.add(receivers.get(k).messages("g").subscribe(m -> log.add(describe(m, payload))));
        }
        // The subscriptions are open at the daemons once a request made after them is answered.
        r3.join("g").block(TIMEOUT);
        r2.join("g").block(TIMEOUT);

        AtomicBoolean bigDelivered = new AtomicBoolean();
        AtomicInteger chattySent = new AtomicInteger();
        Thread chatter = new Thread(() -> {
            for (int i = 0; i < 20_000 && !bigDelivered.get(); i++) {
                chatty.multicast(OutgoingMessage.to("g").level(ServiceLevel.AGREED).payload(small("c", i))).block(TIMEOUT);
                chattySent.set(i + 1);
            }
        }, "chatty");
        big.multicast(OutgoingMessage.to("g").level(ServiceLevel.AGREED).payload(small("b", 0))).block(TIMEOUT);
        chatter.start();
        await().atMost(TIMEOUT).until(() -> chattySent.get() >= 20);
        int chattyBeforeBig = chattySent.get();
        big.multicast(OutgoingMessage.to("g").level(ServiceLevel.AGREED).payload(payload)).block(TIMEOUT);
        big.multicast(OutgoingMessage.to("g").level(ServiceLevel.AGREED).payload(small("b", 1))).block(TIMEOUT);
        await().atMost(TIMEOUT).until(() -> seen.stream().allMatch(l -> l.contains("b1")));
        bigDelivered.set(true);
        chatter.join(TIMEOUT.toMillis());
        subs.forEach(Disposable::dispose);

        for (int k = 0; k < seen.size(); k++) {
            List<String> log = seen.get(k);
            String who = receivers.get(k).privateName();
            assertThat(log).as(who + ": the big message arrives once and whole").containsOnlyOnce("B")
                    .doesNotContain("corrupt");
            assertThat(log.indexOf("b0")).as(who + ": big's messages in its order").isLessThan(log.indexOf("B"));
            assertThat(log.indexOf("B")).as(who + ": big's messages in its order").isLessThan(log.indexOf("b1"));
            // Chatty's messages sent after the big one was handed over, delivered before it: the
            // ring carried them between the big message's fragments instead of behind them all.
            long interleaved = log.subList(0, log.indexOf("B")).stream().filter(e -> e.startsWith("c"))
                    .mapToInt(e -> Integer.parseInt(e.substring(1))).filter(i -> i > chattyBeforeBig + 10).count();
            System.out.printf("LargeMessageTest: at %s, %d of chatty's messages sent during the 16 MiB transfer "
                    + "were delivered before it (chatty sent %d in all)%n", who, interleaved, chattySent.get());
            assertThat(interleaved).as(who + ": other traffic delivered during the big transfer").isPositive();
        }
        int common = Math.min(seen.get(0).size(), seen.get(1).size());
        assertThat(seen.get(0).subList(0, common)).as("one order at both receivers")
                .isEqualTo(seen.get(1).subList(0, common));
    }

    private static String describe(GroupMessage m, byte[] big) {
        byte[] p = m.payload();
        if (p.length == big.length) {
            return java.util.Arrays.equals(p, big) ? "B" : "corrupt";
        }
        ByteBuffer b = ByteBuffer.wrap(p);
        return (char) b.getInt() + String.valueOf(b.getInt());
    }
}

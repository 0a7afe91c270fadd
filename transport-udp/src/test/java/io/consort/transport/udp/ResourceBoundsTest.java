package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.OutgoingMessage;
import io.consort.reactive.Session;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * Issue 4, item 7, bounded for CI: two consortd processes (Netty's leak detector at paranoid level,
 * its logger at debug so the test can see it is on), a steady flood through d1 with receivers on
 * both daemons. The daemons' used heap after a full GC, sampled through JMX (attach API), stays flat: the
 * median of the last third of the samples is at most the median of the first third plus 25% plus
 * 4 MiB. Neither daemon's log has a "LEAK:" line. And d1's open file descriptors
 * ({@code /proc/<pid>/fd}) come back to where they were after hundreds of connect/close cycles.
 */
class ResourceBoundsTest {
    private static final Duration TIMEOUT = ProcessCluster.TIMEOUT;
    private static final Duration FLOOD = Duration.ofSeconds(24);
    private static final int PAYLOAD = 1024;

    @TempDir
    Path dir;

    private ProcessCluster cluster() throws Exception {
        return new ProcessCluster(dir, UdpDaemonNetworkTest.freeAddresses(2), "", "65535", id -> List.of(),
                id -> List.of("--port", "0"), List.of("-Xmx256m", "-XX:+UseG1GC",
                        "-Dio.netty.leakDetection.level=paranoid",
                        "-Dorg.slf4j.simpleLogger.log.io.netty.util.ResourceLeakDetector=debug"));
    }

    @Test
    void underASteadyFloodTheDaemonsHeapStaysFlatAndNettyReportsNoLeak() throws Exception {
        try (ProcessCluster cluster = cluster()) {
            cluster.start(1, 2);
            Heap[] heaps = {Heap.of(cluster.processes[1].pid()), Heap.of(cluster.processes[2].pid())};
            AtomicLong received = new AtomicLong();
            List<Session> sessions = new ArrayList<>();
            List<Disposable> subs = new ArrayList<>();
            for (int d = 1; d <= 2; d++) {
                Session rx = ConsortClient.create().port(cluster.clientPorts[d]).name("rx" + d).connect().block(TIMEOUT);
                sessions.add(rx);
                subs.add(rx.messages("flood").subscribe(m -> received.incrementAndGet(), e -> { }));
                rx.join("flood").block(TIMEOUT);
            }
            byte[] payload = new byte[PAYLOAD];
            List<reactor.core.publisher.Mono<Void>> floods = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                Session tx = ConsortClient.create().port(cluster.clientPorts[1]).name("tx" + k).connect().block(TIMEOUT);
                sessions.add(tx);
                // Bounded in count and in time.
                floods.add(tx.publish(Flux.range(0, 2_000_000).map(i -> OutgoingMessage.to("flood")
                        .level(ServiceLevel.AGREED).payload(payload)).take(FLOOD)).cache());
            }
            floods.forEach(f -> f.subscribe(v -> { }, e -> { }));

            // Samples every ~1.5 s while the flood runs (the first 3 s are warm-up).
            Thread.sleep(3000);
            List<long[]> samples = new ArrayList<>();
            long end = System.nanoTime() + FLOOD.minusSeconds(4).toNanos();
            long receivedAtStart = received.get();
            long t0 = System.nanoTime();
            while (System.nanoTime() < end) {
                samples.add(new long[] {heaps[0].usedAfterGc(), heaps[1].usedAfterGc()});
                Thread.sleep(1000);
            }
            double rate = (received.get() - receivedAtStart) / ((System.nanoTime() - t0) / 1e9);
            for (var f : floods) {
                f.block(TIMEOUT);
            }
            for (Session s : sessions) {
                assertThat(s.isOpen()).as(s.privateName() + " is still open (not a slow consumer)").isTrue();
            }
            // A last GC, then more traffic: the paranoid detector reports leaked buffers as new ones are tracked.
            heaps[0].usedAfterGc();
            heaps[1].usedAfterGc();
            heaps[0].close();
            heaps[1].close();
            sessions.get(2).publish(Flux.range(0, 2000).map(i -> OutgoingMessage.to("flood")
                    .level(ServiceLevel.AGREED).payload(payload))).block(TIMEOUT);
            Thread.sleep(500);

            StringBuilder report = new StringBuilder();
            for (int d = 0; d < 2; d++) {
                List<Long> used = new ArrayList<>();
                for (long[] s : samples) {
                    used.add(s[d]);
                }
                int third = Math.max(1, used.size() / 3);
                long first = median(used.subList(0, third));
                long last = median(used.subList(used.size() - third, used.size()));
                long bound = first + first / 4 + 4096;
                report.append(String.format("d%d used heap after GC (KiB): %s; first third median %d, last third "
                        + "median %d, bound %d%n", d + 1, used, first, last, bound));
                assertThat(last).as("d" + (d + 1) + "'s heap stays flat:\n" + report).isLessThanOrEqualTo(bound);
            }
            System.out.printf("resource bounds: %d samples, %.0f messages/s delivered to the two receivers (%d KiB "
                    + "each), %d in all%n%s", samples.size(), rate, PAYLOAD / 1024, received.get(), report);
            assertThat(samples.size()).isGreaterThanOrEqualTo(6);
            assertThat(rate).as("the flood flowed").isGreaterThan(500);
            for (int d = 1; d <= 2; d++) {
                String log = Files.readString(cluster.logOf(d));
                assertThat(log).as("Netty's leak detector runs at paranoid level in d" + d)
                        .contains("-Dio.netty.leakDetection.level: paranoid");
                assertThat(log).as("d" + d + "'s log has no leak report").doesNotContain("LEAK:");
            }
            subs.forEach(Disposable::dispose);
            for (Session s : sessions) {
                s.close().block(TIMEOUT);
            }
        }
    }

    @Test
    void connectAndCloseCyclesLeakNoFileDescriptors() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/<pid>/fd (Linux)");
        try (ProcessCluster cluster = cluster()) {
            cluster.start(1, 2);
            long pid = cluster.processes[1].pid();
            int port = cluster.clientPorts[1];
            Session peer = ConsortClient.create().port(cluster.clientPorts[2]).name("peer").connect().block(TIMEOUT);
            peer.join("fd").block(TIMEOUT);
            cycles(port, 20); // warm-up: the first connections open what stays open (epoll, pools)
            int before = awaitStableFdCount(pid);
            cycles(port, 300);
            for (int i = 0; i < 100; i++) {
                // A peer that connects, sends half a frame or nothing, and goes away.
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(cluster.clientHosts[1], port), 5000);
                    if (i % 2 == 0) {
                        OutputStream out = s.getOutputStream();
                        out.write(new byte[] {0, 0, 0, 42, 1});
                        out.flush();
                    }
                } catch (IOException e) {
                    // refused is fine too
                }
            }
            int[] after = {0};
            try {
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                        .until(() -> (after[0] = fdCount(pid)) <= before + 2);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("d1's open file descriptors went from " + before + " to " + after[0]
                        + " after 300 session cycles and 100 bare connections:\n" + fdTargets(pid), e);
            }
            System.out.printf("fds of d1: %d before, %d after 300 session cycles and 100 bare connections%n",
                    before, after[0]);
            assertThat(peer.isOpen()).isTrue();
            peer.close().block(TIMEOUT);
        }
    }

    /** {@code n} times: connect a session, join, multicast, close. */
    private static void cycles(int port, int n) {
        for (int i = 0; i < n; i++) {
            Session s = ConsortClient.create().port(port).name("cyc" + i).connect().block(TIMEOUT);
            s.join("fd").block(TIMEOUT);
            s.multicast("fd", ServiceLevel.AGREED, "hello " + i).block(TIMEOUT);
            s.close().block(TIMEOUT);
        }
    }

    private static int awaitStableFdCount(long pid) throws InterruptedException, IOException {
        int last = fdCount(pid);
        for (int i = 0; i < 20; i++) {
            Thread.sleep(200);
            int now = fdCount(pid);
            if (now == last) {
                return now;
            }
            last = now;
        }
        return last;
    }

    private static int fdCount(long pid) throws IOException {
        try (var s = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return (int) s.count();
        }
    }

    private static String fdTargets(long pid) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (var s = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            s.forEach(p -> {
                try {
                    sb.append(p.getFileName()).append(" -> ").append(Files.readSymbolicLink(p)).append('\n');
                } catch (IOException e) {
                    sb.append(p.getFileName()).append(" gone\n");
                }
            });
        }
        return sb.toString();
    }

    /** A daemon's heap, read through JMX (the platform MBeans, via the attach API's local management agent). */
    private record Heap(javax.management.remote.JMXConnector connector, java.lang.management.MemoryMXBean memory)
            implements AutoCloseable {
        static Heap of(long pid) throws Exception {
            com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(String.valueOf(pid));
            String address;
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
            var connector = javax.management.remote.JMXConnectorFactory.connect(
                    new javax.management.remote.JMXServiceURL(address));
            var memory = java.lang.management.ManagementFactory.newPlatformMXBeanProxy(
                    connector.getMBeanServerConnection(), java.lang.management.ManagementFactory.MEMORY_MXBEAN_NAME,
                    java.lang.management.MemoryMXBean.class);
            return new Heap(connector, memory);
        }

        /** Runs a full GC in the daemon, then returns its used heap in KiB. */
        long usedAfterGc() {
            memory.gc();
            return memory.getHeapMemoryUsage().getUsed() / 1024;
        }

        @Override
        public void close() throws IOException {
            connector.close();
        }
    }

    private static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}

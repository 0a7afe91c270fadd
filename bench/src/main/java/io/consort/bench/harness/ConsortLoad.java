package io.consort.bench.harness;

import io.consort.reactive.ConsortClient;
import io.consort.reactive.Session;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;

/**
 * The idle load of a scale run (issue 5, item 4), one process per daemon, started by {@code compare
 * --groups G --idle-sessions S}: it opens {@code --sessions} sessions to its daemon (at most
 * {@code --connect-window} handshakes at a time), then makes them members of the groups
 * {@code idle-<first>, idle-<first+step>, ...} ({@code --group-count} of them), spread round robin over
 * its sessions, with at most {@code --join-window} joins awaiting their acknowledgement at a time.
 * Once every join is acknowledged it prints {@code READY}, and then stays idle (no subscription, no
 * traffic) until standard input closes; it then halts without leaving, so tearing down a million
 * memberships never bounds the run. Every step is bounded by {@code --timeout-s}.
 */
@Command(name = "consort-load", mixinStandardHelpOptions = true,
        description = "Idle sessions and groups held on one consortd (started by 'compare --groups/--idle-sessions').")
public final class ConsortLoad implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1")
    String host;

    @Option(names = "--port", required = true)
    int port;

    @Option(names = "--index", defaultValue = "0", description = "Daemon index; part of the sessions' names.")
    int index;

    @Option(names = "--sessions", required = true)
    int sessions;

    @Option(names = "--first-group", defaultValue = "0")
    long firstGroup;

    @Option(names = "--group-step", defaultValue = "1")
    long groupStep;

    @Option(names = "--group-count", defaultValue = "0")
    long groupCount;

    @Option(names = "--connect-window", defaultValue = "64")
    int connectWindow;

    @Option(names = "--join-window", defaultValue = "4096")
    int joinWindow;

    @Option(names = "--timeout-s", defaultValue = "300")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        long deadline = start + timeoutSeconds * 1_000_000_000L;
        Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
        AtomicLong opened = new AtomicLong();
        long connectProgressEvery = Math.max(1, sessions / 10);
        List<Session> ss = Flux.range(0, sessions)
                .flatMap(i -> ConsortClient.create().host(host).port(port).name("i" + index + "x" + i)
                        .connectTimeout(Duration.ofSeconds(60)).connect()
                        .doOnSuccess(x -> {
                            long n = opened.incrementAndGet();
                            if (n % connectProgressEvery == 0) {
                                System.out.printf(Locale.ROOT, "OPENED %d in %.1f s%n", n,
                                        (System.nanoTime() - start) / 1e9);
                                System.out.flush();
                            }
                        }), connectWindow)
                .collectList()
                .block(left);
        if (ss == null || ss.size() != sessions) {
            throw new IllegalStateException("connected " + (ss == null ? 0 : ss.size()) + " of " + sessions);
        }
        long connected = System.nanoTime();
        System.out.printf(Locale.ROOT, "CONNECTED %d in %.1f s%n", sessions, (connected - start) / 1e9);
        System.out.flush();
        AtomicLong done = new AtomicLong();
        long progressEvery = Math.max(1, groupCount / 10);
        Flux.range(0, (int) groupCount)
                .flatMap(j -> ss.get(j % sessions).join("idle-" + (firstGroup + j * groupStep))
                        .doOnSuccess(v -> {
                            long n = done.incrementAndGet();
                            if (n % progressEvery == 0) {
                                System.out.printf(Locale.ROOT, "JOINED %d in %.1f s%n", n,
                                        (System.nanoTime() - connected) / 1e9);
                                System.out.flush();
                            }
                        }), joinWindow)
                .then()
                .block(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        long joined = System.nanoTime();
        System.out.printf(Locale.ROOT, "READY sessions=%d groups=%d connect_s=%.1f join_s=%.1f joins_per_s=%.0f%n",
                sessions, groupCount, (connected - start) / 1e9, (joined - connected) / 1e9,
                groupCount == 0 ? 0 : groupCount / Math.max(1e-9, (joined - connected) / 1e9));
        System.out.flush();
        MemberIo.awaitStdinClosed(deadline + 1800L * 1_000_000_000L);
        Runtime.getRuntime().halt(0);
        return 0;
    }
}

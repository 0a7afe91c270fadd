package io.consort.daemon;

import io.consort.core.Engine;
import io.consort.core.Output;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.resources.LoopResources;

/**
 * The daemon's one thread: a Netty event loop that owns the engine <em>and</em> the daemon's sockets
 * (the client sessions' TCP connections and the daemon network's UDP channel), as Spread's daemon is a
 * single thread around one {@code select}.
 *
 * <p>Why one thread: each hop of a message or of the token used to cross three threads in a daemon
 * (the UDP event loop, the engine thread, the UDP event loop again to send), and every crossing is a
 * wake-up. On a machine whose cores are shared by several daemons and their clients, those wake-ups
 * were the cost that grew with the token's rotation rate, so a daemon carried less at a steady offered
 * rate than flat out. Now a datagram or a frame read on this loop becomes an engine input without a
 * hand-off, and the outputs are written to the sockets from the same thread.
 *
 * <p>Batching: inputs read during one pass of the event loop over its ready sockets are queued, and
 * one task, run by the loop right after that pass, applies them all with one clock reading, then
 * performs the whole batch of outputs (datagrams flushed once, each session's frames written once).
 * Inputs from other threads (tests, queries, shutdown) are handed over with {@link EventLoop#execute}.
 *
 * <p>Timers: the engine asks for one wake-up at a time with {@link Output.SetTimer}; the loop schedules
 * it on the event loop and calls {@link Engine#tick} when it is due. A clustered engine is ticked once
 * at start, which starts its membership.
 */
final class EngineLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EngineLoop.class);

    private final Engine engine;
    private final Consumer<List<Output>> dispatcher;
    private final @Nullable DaemonNetwork network;
    private final LoopResources resources;
    private final EventLoopGroup group;
    private final EventLoop loop;
    /** Inputs handed over from other threads and not yet applied (for memory bounds). */
    private final AtomicInteger handedOver = new AtomicInteger();

    // Loop-only state: touched by the event loop's thread alone.
    private final ArrayDeque<EngineInput> pending = new ArrayDeque<>();
    private boolean batchScheduled;
    private final Runnable runBatch = this::runBatch;
    private long timerDeadline = Long.MAX_VALUE;
    private long armedFor = Long.MAX_VALUE;
    private @Nullable ScheduledFuture<?> armed;
    private boolean closed;
    /** Called on this thread after every batch (the monitor's cheap checks). */
    private Consumer<Engine> afterBatch = e -> { };

    EngineLoop(Engine engine, Consumer<List<Output>> dispatcher, String name) {
        this(engine, dispatcher, null, name);
    }

    EngineLoop(Engine engine, Consumer<List<Output>> dispatcher, @Nullable DaemonNetwork network, String name) {
        this.engine = engine;
        this.dispatcher = dispatcher;
        this.network = network;
        // One select thread and one worker: the worker is this loop. Native epoll where Netty has it.
        this.resources = LoopResources.create(name, 1, 1, true, false);
        this.group = resources.onServer(LoopResources.hasNativeSupport());
        this.loop = group.next();
    }

    /** The Reactor Netty resources around {@link #group()}, for the daemon's TCP server. */
    LoopResources resources() {
        return resources;
    }

    void start() {
        DaemonNetwork n = network;
        if (n != null) {
            n.start(new DaemonNetwork.Receiver() {
                @Override
                public void datagram(int from, byte[] bytes) {
                    submit((e, now) -> e.receiveDatagram(from, bytes, now));
                }

                @Override
                public void datagrams(int from, List<byte[]> datagrams) {
                    // One input for a packet's worth of datagrams.
                    submit((e, now) -> {
                        for (byte[] d : datagrams) {
                            try {
                                e.receiveDatagram(from, d, now);
                            } catch (RuntimeException x) {
                                log.error("engine input failed", x);
                            }
                        }
                    });
                }
            }, group);
            submit((e, now) -> e.tick(now));
        }
    }

    /** Queues an input; safe from any thread. On the loop's own thread it costs no hand-off. */
    void submit(EngineInput input) {
        if (loop.inEventLoop()) {
            enqueue(input);
        } else {
            handedOver.incrementAndGet();
            try {
                loop.execute(() -> {
                    handedOver.decrementAndGet();
                    enqueue(input);
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                handedOver.decrementAndGet(); // the daemon has stopped: nothing takes inputs any more
            }
        }
    }

    private void enqueue(EngineInput input) {
        if (closed) {
            return;
        }
        pending.add(input);
        if (!batchScheduled) {
            batchScheduled = true;
            loop.execute(runBatch);
        }
    }

    /** How many inputs wait for the engine now (for memory bounds). */
    int queuedInputs() {
        return Math.max(0, handedOver.get()) + pendingSize;
    }

    /** {@link #pending}'s size as last seen by the loop: readable from other threads for metrics. */
    private volatile int pendingSize;

    /** Runs {@code query} on the engine thread and waits for its answer: for tests and metrics, not hot paths. */
    <T> T query(Function<Engine, T> query) throws InterruptedException {
        if (loop.inEventLoop()) {
            throw new IllegalStateException("query() would wait on its own thread");
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        submit((e, now) -> {
            try {
                f.complete(query.apply(e));
            } catch (RuntimeException x) {
                f.completeExceptionally(x);
            }
        });
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("engine query failed", e);
        }
    }

    private void runBatch() {
        batchScheduled = false;
        if (closed) {
            pending.clear();
            return;
        }
        long now = System.nanoTime();
        pendingSize = pending.size();
        for (EngineInput input; (input = pending.poll()) != null;) {
            try {
                input.apply(engine, now);
            } catch (RuntimeException e) {
                // A bug for one input must not take every session down with the daemon.
                log.error("engine input failed", e);
            }
        }
        pendingSize = 0;
        if (timerDeadline != Long.MAX_VALUE && now - timerDeadline >= 0) {
            timerDeadline = Long.MAX_VALUE;
            try {
                engine.tick(now);
            } catch (RuntimeException e) {
                log.error("engine tick failed", e);
            }
        }
        perform(engine.takeOutputs());
        afterBatch.accept(engine);
        armTimer(now);
    }

    /** Sets what runs on this thread after every batch; set once, before inputs flow. */
    void afterBatch(Consumer<Engine> afterBatch) {
        loop.execute(() -> this.afterBatch = afterBatch);
    }

    /** Applies {@code input} every {@code period} until the loop stops. */
    void every(Duration period, EngineInput input) {
        loop.scheduleAtFixedRate(() -> submit(input), period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Schedules the loop to wake at the engine's deadline. An armed wake-up that is earlier stays (it runs
     * a batch that re-arms); a later one is cancelled, so at most one is outstanding.
     */
    private void armTimer(long now) {
        long deadline = timerDeadline;
        if (deadline == Long.MAX_VALUE || armedFor - deadline <= 0 && armed != null) {
            return;
        }
        ScheduledFuture<?> previous = armed;
        if (previous != null) {
            previous.cancel(false);
        }
        armedFor = deadline;
        armed = loop.schedule(this::onTimer, Math.max(0, deadline - now), TimeUnit.NANOSECONDS);
    }

    private void onTimer() {
        armed = null;
        armedFor = Long.MAX_VALUE;
        if (!batchScheduled) {
            runBatch();
        }
    }

    private void perform(List<Output> outputs) {
        if (outputs.isEmpty()) {
            return;
        }
        boolean sessionOutputs = false;
        boolean sent = false;
        DaemonNetwork n = network;
        for (Output o : outputs) {
            if (o instanceof Output.SessionOutput) {
                sessionOutputs = true;
            } else if (o instanceof Output.SetTimer t) {
                timerDeadline = t.deadlineNanos();
            } else if (n != null) {
                try {
                    if (o instanceof Output.SendDatagram s) {
                        n.send(s.toDaemon(), s.datagram());
                        sent = true;
                    } else if (o instanceof Output.BroadcastDatagram b) {
                        n.broadcast(b.datagram());
                        sent = true;
                    }
                } catch (RuntimeException e) {
                    log.warn("daemon network send failed: {}", e.toString());
                }
            }
        }
        if (sent) {
            try {
                n.flush();
            } catch (RuntimeException e) {
                log.warn("daemon network flush failed: {}", e.toString());
            }
        }
        if (sessionOutputs) {
            dispatcher.accept(outputs);
        }
    }

    /** Stops applying inputs; {@link #shutdownThread()} then ends the thread once its sockets are closed. */
    @Override
    public void close() {
        if (loop.inEventLoop()) {
            closed = true;
        } else {
            CompletableFuture<Void> done = new CompletableFuture<>();
            try {
                loop.execute(() -> {
                    closed = true;
                    ScheduledFuture<?> a = armed;
                    if (a != null) {
                        a.cancel(false);
                    }
                    done.complete(null);
                });
                done.get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the loop is already shut down
            } catch (ExecutionException | TimeoutException e) {
                log.warn("engine loop did not stop in time: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Ends the daemon's thread: after the TCP server and the daemon network have closed their channels. */
    void shutdownThread() {
        resources.disposeLater(Duration.ZERO, Duration.ofSeconds(2)).block(Duration.ofSeconds(5));
    }
}

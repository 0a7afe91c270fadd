package io.consort.reactive.daemon;

import io.consort.core.Engine;
import io.consort.core.Output;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine thread: the only thread that touches the engine. I/O threads hand it inputs through
 * a queue; it drains every queued input, then performs the batch of outputs (session outputs to
 * the dispatcher, datagrams to the {@link DaemonNetwork}), as Spread's single-threaded daemon
 * does. The engine has no locks because nothing else reaches it.
 *
 * <p>Timers: the engine asks for one wake-up at a time with {@link Output.SetTimer}; the loop
 * waits for inputs only until that deadline, then calls {@link Engine#tick}. A clustered engine
 * is ticked once at start, which starts its membership.
 */
final class EngineLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EngineLoop.class);
    /** Inputs per batch: enough to amortise flushes, few enough that one batch's output to a client stays small. */
    private static final int BATCH_MAX = 1024;
    /** The longest the loop sleeps without a timer, so that close() is never slow. */
    private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Engine engine;
    private final Consumer<List<Output>> dispatcher;
    private final @Nullable DaemonNetwork network;
    /**
     * Multi-producer, single-consumer: producers never take a lock, and wake the engine thread
     * only when it is parked (or about to park) for want of input.
     */
    private final ConcurrentLinkedQueue<EngineInput> inputs = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private volatile boolean parked;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private long timerDeadline = Long.MAX_VALUE;

    EngineLoop(Engine engine, Consumer<List<Output>> dispatcher, String name) {
        this(engine, dispatcher, null, name);
    }

    EngineLoop(Engine engine, Consumer<List<Output>> dispatcher, @Nullable DaemonNetwork network, String name) {
        this.engine = engine;
        this.dispatcher = dispatcher;
        this.network = network;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    void start() {
        if (network != null) {
            network.start(new DaemonNetwork.Receiver() {
                @Override
                public void datagram(int from, byte[] bytes) {
                    submit((e, now) -> e.receiveDatagram(from, bytes, now));
                }

                @Override
                public void datagrams(int from, List<byte[]> datagrams) {
                    // One hand-off for a packet's worth of datagrams.
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
            });
            submit((e, now) -> e.tick(now));
        }
        thread.start();
    }

    /** Queues an input; safe from any thread. */
    void submit(EngineInput input) {
        inputs.offer(input);
        queued.incrementAndGet();
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    /** How many inputs wait for the engine thread now (for memory bounds). */
    int queuedInputs() {
        return Math.max(0, queued.get());
    }

    /** Runs {@code query} on the engine thread and waits for its answer: for tests and metrics, not hot paths. */
    <T> T query(java.util.function.Function<Engine, T> query) throws InterruptedException {
        java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
        submit((e, now) -> f.complete(query.apply(e)));
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("engine query failed", e);
        }
    }

    private void run() {
        List<EngineInput> batch = new ArrayList<>();
        try {
            while (running) {
                long wait = IDLE_WAIT_NANOS;
                if (timerDeadline != Long.MAX_VALUE) {
                    wait = Math.min(wait, timerDeadline - System.nanoTime());
                }
                EngineInput first = inputs.poll();
                if (first == null && wait > 0) {
                    parked = true;
                    first = inputs.poll(); // an input offered before the flag was seen set
                    if (first == null) {
                        LockSupport.parkNanos(this, wait);
                        if (Thread.interrupted()) {
                            throw new InterruptedException();
                        }
                    }
                    parked = false;
                    if (first == null) {
                        first = inputs.poll();
                    }
                }
                if (first != null) {
                    batch.add(first);
                    for (EngineInput in; batch.size() < BATCH_MAX && (in = inputs.poll()) != null;) {
                        batch.add(in);
                    }
                    queued.addAndGet(-batch.size());
                }
                long now = System.nanoTime();
                for (EngineInput input : batch) {
                    try {
                        input.apply(engine, now);
                    } catch (RuntimeException e) {
                        // A bug for one input must not take every session down with the daemon.
                        log.error("engine input failed", e);
                    }
                }
                batch.clear();
                if (timerDeadline != Long.MAX_VALUE && now - timerDeadline >= 0) {
                    timerDeadline = Long.MAX_VALUE;
                    try {
                        engine.tick(now);
                    } catch (RuntimeException e) {
                        log.error("engine tick failed", e);
                    }
                }
                perform(engine.takeOutputs());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped.countDown();
        }
    }

    private void perform(List<Output> outputs) {
        if (outputs.isEmpty()) {
            return;
        }
        boolean sessionOutputs = false;
        boolean sent = false;
        for (Output o : outputs) {
            if (o instanceof Output.SessionOutput) {
                sessionOutputs = true;
            } else if (o instanceof Output.SetTimer t) {
                timerDeadline = t.deadlineNanos();
            } else if (network != null) {
                try {
                    if (o instanceof Output.SendDatagram s) {
                        network.send(s.toDaemon(), s.datagram());
                        sent = true;
                    } else if (o instanceof Output.BroadcastDatagram b) {
                        network.broadcast(b.datagram());
                        sent = true;
                    }
                } catch (RuntimeException e) {
                    log.warn("daemon network send failed: {}", e.toString());
                }
            }
        }
        if (sent) {
            try {
                network.flush();
            } catch (RuntimeException e) {
                log.warn("daemon network flush failed: {}", e.toString());
            }
        }
        if (sessionOutputs) {
            dispatcher.accept(outputs);
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            stopped.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.consort.daemon;

import io.consort.core.Engine;
import io.consort.core.Input;
import io.consort.core.InputRecording;
import io.consort.core.Output;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
 * it on the event loop and applies {@link Input.Tick} when it is due. A clustered engine is ticked once
 * at start, which starts its membership.
 *
 * <p>Inputs are {@link Input} records, applied with {@link Engine#step}; the few things that are not
 * inputs (queries, another protocol's endpoint, bookkeeping after an input) are tasks queued in the same
 * order. With {@link #recordInputs} every input goes to a recording as the engine applies it.
 *
 * <p>Fail-stop: an exception (or a failed assertion) out of the engine means its state can no longer be
 * trusted, so the loop applies nothing more and hands the cause to {@link #onFailure}: the daemon tells
 * its clients, closes its sockets and stops, and the other daemons re-form without it. Carrying on would
 * serve clients from a state that already broke an invariant.
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
    /** {@link Input}s, {@link EngineInput} tasks, and plain Runnables to run after an input. */
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private final ArrayList<Output> batch = new ArrayList<>();
    private InputRecording.@Nullable Writer recorder;
    private Consumer<Throwable> onFailure = cause -> { };
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
                    submit(new Input.Datagram(from, bytes));
                }

                @Override
                public void datagrams(int from, List<byte[]> datagrams) {
                    for (byte[] d : datagrams) {
                        submit(new Input.Datagram(from, d));
                    }
                }
            }, group);
            submit(new Input.Tick());
        }
    }

    /** Queues an input for the engine; safe from any thread. */
    void submit(Input input) {
        queue(input);
    }

    /** Queues an input, then {@code afterApplied} to run on the loop once the engine has applied it. */
    void submit(Input input, Runnable afterApplied) {
        if (loop.inEventLoop()) {
            enqueue(input);
            enqueue(afterApplied);
        } else {
            queue(new Object[] {input, afterApplied});
        }
    }

    /** Queues a task that is not an input (a query, another endpoint's work); it runs in order with the inputs. */
    void submit(EngineInput task) {
        queue(task);
    }

    /**
     * Records every input from now on to {@code writer}, flushed after each batch, so a recording ends
     * with the input the daemon applied last, a failing one included. Call before {@link #start}.
     */
    void recordInputs(InputRecording.Writer writer) {
        recorder = writer;
        engine.observeInputs(writer::write);
    }

    /** What to do, on the loop's thread, once the engine has failed: it takes no input after that. */
    void onFailure(Consumer<Throwable> onFailure) {
        this.onFailure = onFailure;
    }

    /** Queues an item; on the loop's own thread it costs no hand-off. */
    private void queue(Object input) {
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

    private void enqueue(Object input) {
        if (closed) {
            return;
        }
        if (input instanceof Object[] pair) {
            pending.add(pair[0]);
            pending.add(pair[1]);
        } else {
            pending.add(input);
        }
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
        try {
            for (Object item; (item = pending.poll()) != null;) {
                if (item instanceof Input input) {
                    batch.addAll(engine.step(input, now));
                } else if (item instanceof EngineInput task) {
                    task.apply(engine, now);
                } else {
                    ((Runnable) item).run();
                }
            }
            if (timerDeadline != Long.MAX_VALUE && now - timerDeadline >= 0) {
                timerDeadline = Long.MAX_VALUE;
                batch.addAll(engine.step(new Input.Tick(), now));
            }
            batch.addAll(engine.takeOutputs()); // what tasks asked of the engine through its shorthand methods
        } catch (RuntimeException | AssertionError e) {
            failStop(e);
            return;
        } finally {
            pendingSize = 0;
            flushRecording();
        }
        try {
            perform(batch);
        } finally {
            batch.clear();
        }
        runAfterBatch();
        armTimer(now);
    }

    /** What runs on this thread after every batch; it reads the engine, and a fault in it is not the engine's. */
    private void runAfterBatch() {
        try {
            afterBatch.accept(engine);
        } catch (RuntimeException e) {
            log.warn("after-batch observer failed: {}", e.toString());
        }
    }

    /** Sets what runs on this thread after every batch; set once, before inputs flow. */
    void afterBatch(Consumer<Engine> afterBatch) {
        loop.execute(() -> this.afterBatch = afterBatch);
    }

    /** Applies {@code input} every {@code period} until the loop stops. */
    void every(Duration period, EngineInput input) {
        loop.scheduleAtFixedRate(() -> submit(input), period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The engine threw: it applies nothing more, and the daemon stops (see the class comment). */
    private void failStop(Throwable cause) {
        closed = true;
        pending.clear();
        batch.clear();
        ScheduledFuture<?> a = armed;
        if (a != null) {
            a.cancel(false);
        }
        log.error("the engine failed; the daemon stops (fail-stop), its clients are told and the other daemons "
                + "re-form without it", cause);
        onFailure.accept(cause);
    }

    private void flushRecording() {
        InputRecording.@Nullable Writer w = recorder;
        if (w == null) {
            return;
        }
        try {
            w.flush();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            // The recording is a diagnostic: losing it must not stop the daemon.
            log.warn("input recording stopped: {}", e.toString());
            engine.observeInputs(null);
            recorder = null;
        }
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
            } else if (o instanceof Output.Notice notice) {
                log.info(notice.text());
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
        InputRecording.@Nullable Writer w = recorder;
        if (w != null) {
            try {
                w.close(); // the loop applies nothing more: no input can follow
            } catch (java.io.IOException e) {
                log.warn("input recording not closed cleanly: {}", e.toString());
            }
        }
    }

    /** Ends the daemon's thread: after the TCP server and the daemon network have closed their channels. */
    void shutdownThread() {
        resources.disposeLater(Duration.ZERO, Duration.ofSeconds(2)).block(Duration.ofSeconds(5));
    }
}

package io.consort.reactive.daemon;

import io.consort.core.Engine;
import io.consort.core.Output;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine thread: the only thread that touches the engine. I/O threads hand it inputs through
 * a queue; it drains every queued input, then hands the batch of outputs to the dispatcher, as
 * Spread's single-threaded daemon does. The engine has no locks because nothing else reaches it.
 */
final class EngineLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EngineLoop.class);
    private static final int BATCH_MAX = 4096;

    private final Engine engine;
    private final Consumer<List<Output>> dispatcher;
    private final BlockingQueue<EngineInput> inputs = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;

    EngineLoop(Engine engine, Consumer<List<Output>> dispatcher, String name) {
        this.engine = engine;
        this.dispatcher = dispatcher;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Queues an input; safe from any thread. */
    void submit(EngineInput input) {
        inputs.add(input);
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
                EngineInput first = inputs.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                inputs.drainTo(batch, BATCH_MAX - 1);
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
                List<Output> outputs = engine.takeOutputs();
                if (!outputs.isEmpty()) {
                    dispatcher.accept(outputs);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped.countDown();
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

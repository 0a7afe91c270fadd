package io.consort.bench.engine;

import io.consort.core.EngineConfig;
import io.consort.core.ServiceLevel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engine's ceiling: three clustered {@link io.consort.core.Engine}s in one thread, no I/O
 * ({@link EngineRing}), 1 KB AGREED messages. One operation is one message delivered at every
 * daemon (to one session per daemon, all members of the group), so the score in ops/s is
 * <em>messages per second delivered at each daemon</em>; the engines together do three times as
 * many deliveries.
 *
 * <pre>
 * java -jar bench/target/consort-bench.jar EngineRingBenchmark -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class EngineRingBenchmark {
    /** Messages per benchmark invocation: each invocation floods this many and waits for all deliveries. */
    public static final int BATCH = 10_000;

    /** How many daemons' sessions send: "1" (one sender) or "3" (all). */
    @Param({"1", "3"})
    public int senders;

    /** Payload bytes. */
    @Param({"1024"})
    public int sizeBytes;

    /** AGREED or SAFE. */
    @Param({"AGREED"})
    public ServiceLevel level;

    private EngineRing ring;
    private int[] sending;
    private byte[] payload;

    @Setup
    public void setUp() {
        ring = EngineRing.form(3, EngineConfig.defaults());
        sending = senders == 1 ? new int[] {0} : new int[] {0, 1, 2};
        payload = new byte[sizeBytes];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long flood() {
        return ring.flood(BATCH, sending, payload, level);
    }
}

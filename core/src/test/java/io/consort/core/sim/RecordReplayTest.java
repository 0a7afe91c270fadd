package io.consort.core.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consort.core.EngineConfig;
import io.consort.core.Input;
import io.consort.core.InputRecording;
import io.consort.core.Output;
import io.consort.core.Replay;
import io.consort.core.ServiceLevel;
import io.consort.core.StreamFilter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A daemon's inputs recorded during a run replay through a fresh engine to the same outputs, byte
 * for byte: the property that makes a recording of a production incident a test.
 */
class RecordReplayTest {
    @Test
    void aDaemonOfAFaultyNetworkReplaysToTheSameOutputs() throws IOException {
        for (long seed : new long[] {3, 42}) {
            // Stalls, losses, partitions, crashes of the others: daemon 0's recording must carry all it saw.
            Simulator sim = new Simulator(seed, 1.0);
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            List<Output> seen = new ArrayList<>();
            sim.recordInputs(0, sink, seen);
            assertThat(sim.run()).as("seed %d", seed).isEmpty();
            sim.finishRecording(0);

            InputRecording recording = InputRecording.read(new ByteArrayInputStream(sink.toByteArray()));
            assertThat(recording.entries()).as("seed %d", seed).hasSizeGreaterThan(100);
            assertThat(recording.entries()).extracting(InputRecording.Entry::input)
                    .hasAtLeastOneElementOfType(Input.Datagram.class)
                    .hasAtLeastOneElementOfType(Input.Multicast.class);
            assertThat(recording.config().toString()).isEqualTo(sim.config(0, 1).toString());
            assertThat(seen.stream().filter(o -> o instanceof Output.Deliver)).isNotEmpty();
            assertThat(describe(Replay.outputs(recording))).as("seed %d", seed).isEqualTo(describe(seen));
        }
    }

    @Test
    void everyKindOfInputSurvivesTheCodec() throws IOException {
        EngineConfig config = EngineConfig.defaults().withDaemonName("d7").withSeed(99).withClustered(true)
                .withDaemonId(7).withSlowConsumerPolicy(EngineConfig.SlowConsumerPolicy.values()[1]);
        List<Input> inputs = List.of(new Input.Connect(1, "alice"), new Input.Subscribe(1, 2, StreamFilter.all()),
                new Input.Subscribe(1, 3, new StreamFilter("g", true, false)), new Input.Credit(1, 2, Long.MAX_VALUE),
                new Input.Cancel(1, 3), new Input.Join(1, 4, "g"), new Input.Leave(1, 5, "g"),
                new Input.Multicast(1, 6, List.of("g", "#bob#d7"), ServiceLevel.SAFE, true, 65535, new byte[] {1, 2}),
                new Input.Multicast(1, 7, List.of("g"), 99, false, 0, new byte[0]),
                new Input.Writable(1, false), new Input.Disconnect(1, true), new Input.Datagram(3, new byte[] {9, 8}),
                new Input.Tick(), new Input.Shutdown());
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (InputRecording.Writer w = InputRecording.writer(sink, config)) {
            long t = 1000;
            for (Input i : inputs) {
                w.write(i, t++);
            }
        }
        byte[] bytes = sink.toByteArray();
        InputRecording r = InputRecording.read(new ByteArrayInputStream(bytes));
        assertThat(r.config().toString()).isEqualTo(config.toString());
        assertThat(describe(r.entries())).isEqualTo(describe(
                inputs.stream().map(i -> new InputRecording.Entry(1000 + inputs.indexOf(i), i)).toList()));

        // A crash mid-write leaves a last entry cut short: the rest still reads.
        InputRecording cut = InputRecording.read(new ByteArrayInputStream(Arrays.copyOf(bytes, bytes.length - 3)));
        assertThat(cut.entries()).hasSize(inputs.size() - 1);
        assertThatThrownBy(() -> InputRecording.read(new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})))
                .isInstanceOf(IOException.class).hasMessageContaining("not a Consort input recording");
    }

    /** A value's content as text: records field by field, arrays element by element (records compare arrays by identity). */
    static String describe(Object o) {
        if (o instanceof byte[] b) {
            return Arrays.toString(b);
        }
        if (o instanceof List<?> l) {
            StringBuilder s = new StringBuilder("[");
            for (Object e : l) {
                s.append(describe(e)).append(",\n");
            }
            return s.append(']').toString();
        }
        if (o instanceof Record r) {
            StringBuilder s = new StringBuilder(r.getClass().getSimpleName()).append('(');
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                try {
                    s.append(c.getName()).append('=').append(describe(c.getAccessor().invoke(r))).append(' ');
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            return s.append(')').toString();
        }
        return String.valueOf(o);
    }
}

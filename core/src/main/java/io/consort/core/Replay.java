package io.consort.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Replays an {@link InputRecording} through a fresh engine built from the recorded configuration:
 * since the engine is deterministic, the outputs are the recorded engine's, one by one. This is how a
 * production incident becomes a test: record consortd's inputs, replay them here (or in the
 * simulator's tests) under a debugger or with assertions, as often as needed.
 *
 * <pre>{@code
 * InputRecording r = InputRecording.read(Files.newInputStream(path));
 * List<Output> outputs = Replay.outputs(r);
 * }</pre>
 */
public final class Replay {
    private Replay() {
    }

    /** Every output of a fresh engine fed the recording's inputs at their recorded times, in order. */
    public static List<Output> outputs(InputRecording recording) {
        List<Output> all = new ArrayList<>();
        run(recording, all);
        return all;
    }

    /** Feeds the recording to a fresh engine, adding its outputs to {@code outputs}; returns the engine. */
    public static Engine run(InputRecording recording, List<Output> outputs) {
        Engine engine = new Engine(recording.config());
        for (InputRecording.Entry e : recording.entries()) {
            outputs.addAll(engine.step(e.input(), e.nowNanos()));
        }
        return engine;
    }
}

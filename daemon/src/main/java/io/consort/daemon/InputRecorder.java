package io.consort.daemon;

import io.consort.core.InputRecording;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the file of {@link DaemonOptions#recordInputs()} and has the engine loop record every input to
 * it: the engine's configuration first, then each input with its time (consortd's
 * {@code --record-inputs FILE}, YAML {@code daemon.recordInputs}). A test replays the file with
 * {@link io.consort.core.Replay}, so a production incident becomes a test.
 *
 * <pre>{@code
 * EmbeddedDaemon.start(DaemonOptions.defaults().withRecordInputs(Path.of("d1.inputs")));
 * }</pre>
 */
final class InputRecorder {
    private static final Logger log = LoggerFactory.getLogger(InputRecorder.class);

    private InputRecorder() {
    }

    /** Starts recording if the options ask for it; a file that cannot be created fails the start. */
    static void start(DaemonOptions options, EngineLoop loop) {
        Path file = options.recordInputs();
        if (file == null) {
            return;
        }
        try {
            loop.recordInputs(InputRecording.writer(Files.newOutputStream(file), options.engine()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record inputs to " + file + ": " + e.getMessage(), e);
        }
        log.info("daemon {} records its engine's inputs to {}", options.engine().daemonName(), file);
    }
}

package io.consort.transport.udp;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the cluster key file on a period and installs what changed into a {@link PacketSealer}:
 * this is how a key rotation reaches a running consortd (each phase is one edit of the file on
 * every daemon; no signal, no restart). A file that does not parse keeps the keys in use and is
 * reported once; the next good version is installed.
 *
 * <pre>{@code
 * try (KeyFileWatcher w = KeyFileWatcher.start(keyFile, sealer, Duration.ofSeconds(1), System.out::println)) {
 *     ... // edit keyFile: the sealer follows within a second
 * }
 * }</pre>
 */
public final class KeyFileWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KeyFileWatcher.class);
    /** consortd's period. */
    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(1);

    private final Path file;
    private final PacketSealer sealer;
    private final Consumer<String> report;
    private final ScheduledExecutorService timer;
    private @Nullable String lastError;

    private KeyFileWatcher(Path file, PacketSealer sealer, Consumer<String> report) {
        this.file = file;
        this.sealer = sealer;
        this.report = report;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "consort-keys");
            t.setDaemon(true);
            return t;
        });
    }

    /** Watches {@code file} every {@code period}, telling {@code report} of each change (ids only, never key bytes). */
    public static KeyFileWatcher start(Path file, PacketSealer sealer, Duration period, Consumer<String> report) {
        KeyFileWatcher w = new KeyFileWatcher(Objects.requireNonNull(file, "file"), Objects.requireNonNull(sealer, "sealer"),
                Objects.requireNonNull(report, "report"));
        long ms = Math.max(1, period.toMillis());
        w.timer.scheduleWithFixedDelay(w::check, ms, ms, TimeUnit.MILLISECONDS);
        return w;
    }

    /** Reads the file once now; installs its keys if they differ from the sealer's. */
    void check() {
        try {
            ClusterKeys keys = ClusterKeys.read(file);
            lastError = null;
            if (!keys.equals(sealer.keys())) {
                sealer.install(keys);
                report.accept("cluster keys reloaded from " + file + ": " + keys);
            }
        } catch (DaemonConfigFile.ConfigException e) {
            if (!Objects.equals(e.getMessage(), lastError)) {
                lastError = e.getMessage();
                report.accept("cluster key file not reloaded, the keys in use stay (" + sealer.keys() + "): "
                        + e.getMessage());
            }
        } catch (RuntimeException e) {
            log.warn("cluster key reload failed", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

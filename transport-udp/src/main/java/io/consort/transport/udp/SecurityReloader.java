package io.consort.transport.udp;

import io.consort.daemon.DaemonOptions;
import io.consort.daemon.security.SessionSecurity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads consortd's YAML file when it changes and applies its {@code security:} section (users,
 * access rules, TLS files) to the running daemon; the rest of the file needs a restart. A file that
 * no longer parses is logged and the settings in force are kept.
 *
 * <pre>{@code
 * SecurityReloader reloader = new SecurityReloader(file, daemon::updateSecurity);
 * reloader.start(Duration.ofSeconds(2));
 * }</pre>
 */
final class SecurityReloader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SecurityReloader.class);
    private final Path file;
    private final Consumer<SessionSecurity> apply;
    private byte[] seen;
    private @Nullable ScheduledExecutorService timer;

    SecurityReloader(Path file, Consumer<SessionSecurity> apply) {
        this.file = Objects.requireNonNull(file, "file");
        this.apply = Objects.requireNonNull(apply, "apply");
        this.seen = read();
    }

    /** Checks every {@code interval} from now on, on a thread of its own. */
    synchronized void start(Duration interval) {
        if (timer != null || interval.isZero() || interval.isNegative()) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "consortd-reload");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::checkNow, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Applies the file's security if the file changed since the last look; true if it applied something new. */
    synchronized boolean checkNow() {
        byte[] now = read();
        if (Arrays.equals(now, seen)) {
            return false;
        }
        seen = now; // a broken file is reported once, not at every check
        try {
            SessionSecurity security = DaemonConfigFile.read(file, DaemonOptions.defaults()).security();
            apply.accept(security);
            log.info("{}: reloaded the security settings", file);
            return true;
        } catch (RuntimeException e) {
            log.warn("{} changed but is not applied, the settings in force stay: {}", file, e.getMessage());
            return false;
        }
    }

    private byte[] read() {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}

package io.consort.bench.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A child process of the harness whose output lines are collected (and echoed when verbose). */
final class MemberProcess implements AutoCloseable {
    private final String label;
    private final Process process;
    private final List<String> lines = new ArrayList<>();

    MemberProcess(String label, List<String> command, boolean verbose) throws IOException {
        this.label = label;
        this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                    if (verbose || line.startsWith("Exception") || line.contains("ERROR")) {
                        System.err.println("  [" + label + "] " + line);
                    }
                }
            } catch (IOException e) {
                // the process went away
            }
        }, "out-" + label);
        reader.setDaemon(true);
        reader.start();
    }

    /** The operating system's id of the process (for jcmd). */
    long pid() {
        return process.pid();
    }

    /** The first line matching {@code p}, waiting until {@code deadlineNanos}. */
    String await(Predicate<String> p, long deadlineNanos, String what) throws InterruptedException {
        synchronized (lines) {
            while (true) {
                for (String l : lines) {
                    if (p.test(l)) {
                        return l;
                    }
                }
                long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
                if (left <= 0 || !process.isAlive()) {
                    throw new IllegalStateException(label + ": no " + what + (process.isAlive() ? " in time"
                            : " before it exited with " + process.exitValue()) + "; last output: "
                            + lines.subList(Math.max(0, lines.size() - 8), lines.size()));
                }
                lines.wait(Math.min(Math.max(left, 1), 200));
            }
        }
    }

    /** Closes its standard input (the "all done" signal), then waits a little and kills it if needed. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // gone already
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Kills it at once (SIGKILL), and waits a bounded time for it to go. */
    void destroy() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops it with SIGTERM (consortd's graceful stop). */
    void terminate() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}

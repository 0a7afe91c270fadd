package io.consort.samples.chat;

import static org.assertj.core.api.Assertions.fail;

import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A writer that keeps the lines written to it and lets a test wait for one, without sleeping. */
final class LineRecorder extends Writer {
    private final StringBuilder partial = new StringBuilder();
    private final List<String> lines = new ArrayList<>();

    @Override
    public synchronized void write(char[] cbuf, int off, int len) {
        for (int i = off; i < off + len; i++) {
            char c = cbuf[i];
            if (c == '\n') {
                String line = partial.toString();
                partial.setLength(0);
                lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
                notifyAll();
            } else {
                partial.append(c);
            }
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    /** Waits until some line written so far or later matches; returns it. */
    synchronized String await(Predicate<String> match, String what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String line : lines) {
                if (match.test(line)) {
                    return line;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return fail("no line " + what + " within " + timeout + "; got:\n" + String.join("\n", lines));
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }
}

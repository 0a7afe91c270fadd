package io.consort.bench.harness;

import java.io.IOException;

/** Helpers for member processes. */
final class MemberIo {
    private MemberIo() {
    }

    /** Blocks until standard input closes (the orchestrator's "all done") or the deadline passes. */
    static void awaitStdinClosed(long deadlineNanos) {
        Thread t = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // discard
                }
            } catch (IOException e) {
                // closed
            }
        }, "stdin-watch");
        t.setDaemon(true);
        t.start();
        try {
            t.join(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

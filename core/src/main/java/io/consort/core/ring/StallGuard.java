package io.consort.core.ring;

/**
 * Tells a daemon's own stall from the others' silence.
 *
 * <p>A failure timeout measures how long this daemon has not heard from the others. That is only
 * evidence against them if this daemon was listening: after a garbage collection, a suspended VM
 * or a CPU-starved stretch, it wakes up with its timers long overdue while the token and the
 * others' packets sit unread in its input queue. Acting on such a timer splits a healthy ring
 * (and, on a machine running several daemons, every daemon wakes up like that at once).
 *
 * <p>So when the ring is woken more than a threshold after its earliest deadline, the wake is a
 * stall of its own, and the ring restarts its failure timeouts from now rather than acting on
 * them. A daemon that stalls over and over must still detect real failures: only a bounded number
 * of consecutive graces are given before the ring next sees progress (a token, a new gather).
 */
public final class StallGuard {
    /** Graces in a row without progress; then an overdue timer counts, stalled or not. */
    static final int MAX_CONSECUTIVE_GRACES = 3;

    private final long thresholdNanos;
    private int consecutive;
    private long graces;

    StallGuard(long thresholdNanos) {
        this.thresholdNanos = thresholdNanos;
    }

    /** A threshold well above scheduling jitter and well below the token loss timeout. */
    public static StallGuard forTimeouts(long tokenLossNanos, long tokenRetransmitNanos) {
        return new StallGuard(Math.max(tokenRetransmitNanos, tokenLossNanos / 8));
    }

    /**
     * Whether waking at {@code now}, with {@code deadline} the earliest moment the ring asked to be
     * woken at, is a stall that earns the failure timeouts a fresh start.
     */
    public boolean graceFor(long deadline, long now) {
        if (deadline == Long.MAX_VALUE || now - deadline <= thresholdNanos || consecutive >= MAX_CONSECUTIVE_GRACES) {
            return false;
        }
        consecutive++;
        graces++;
        return true;
    }

    /** The ring heard from the others: the next stall earns a grace again. */
    public void progress() {
        consecutive = 0;
    }

    /** How many graces were given, for diagnostics. */
    public long graces() {
        return graces;
    }
}

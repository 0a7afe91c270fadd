package io.consort.transport.udp;

/**
 * The anti-replay window of one sender, as IPsec keeps it (RFC 4303 §3.4.3): the highest counter
 * accepted so far and a bitmap of which of the {@link #SIZE} counters below it were seen. A
 * counter above the top slides the window; one inside it is accepted once; one below it is too old
 * to tell from a replay and is refused. Packets are reordered only a little on a network, and
 * the window is far wider than that.
 *
 * <p>{@link #check} comes before authentication and {@link #accept} after it, so that a forged
 * packet, which fails authentication, cannot move the window.
 *
 * <pre>{@code
 * ReplayWindow w = new ReplayWindow();
 * if (w.check(counter) && authentic) { w.accept(counter); deliver(); }
 * }</pre>
 *
 * Not thread-safe: one transport thread owns it.
 */
public final class ReplayWindow {
    /** Counters below the top that are remembered. */
    public static final int SIZE = 2048;
    private final long[] bits = new long[SIZE / 64];
    private long top = -1;

    /** Whether {@code counter} (non-negative) is neither seen nor too old. */
    public boolean check(long counter) {
        if (counter < 0) {
            return false;
        }
        if (counter > top) {
            return true;
        }
        long behind = top - counter;
        if (behind >= SIZE) {
            return false;
        }
        return (bits[index(counter)] & bit(counter)) == 0;
    }

    /** Records {@code counter} as seen; call only after {@link #check} said yes and the packet was authentic. */
    public void accept(long counter) {
        if (counter > top) {
            long shift = top < 0 ? SIZE : counter - top;
            if (shift >= SIZE) {
                java.util.Arrays.fill(bits, 0L);
            } else {
                for (long c = top + 1; c <= counter; c++) {
                    bits[index(c)] &= ~bit(c);
                }
            }
            top = counter;
        }
        bits[index(counter)] |= bit(counter);
    }

    /** The highest counter accepted, or -1. */
    public long top() {
        return top;
    }

    private static int index(long counter) {
        return (int) ((counter >>> 6) & (SIZE / 64 - 1));
    }

    private static long bit(long counter) {
        return 1L << (counter & 63);
    }
}

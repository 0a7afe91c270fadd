package io.consort.core;

/**
 * The ordering and reliability a sender asks for, per message. The levels are Spread's.
 *
 * <p>All levels above {@link #UNRELIABLE} share one total order per configuration, so mixing
 * levels never reorders what a stronger level promised.
 *
 * <pre>{@code
 * session.multicast("prices", ServiceLevel.AGREED, payload);
 * }</pre>
 */
public enum ServiceLevel {
    /** May be lost; no order. */
    UNRELIABLE(0),
    /** Delivered unless the receiver or sender fails or is partitioned away; no order. */
    RELIABLE(1),
    /** Reliable, in send order per sending session. */
    FIFO(2),
    /** Reliable, in causal order across senders. */
    CAUSAL(3),
    /** Causal, and in one total order at every receiver. */
    AGREED(4),
    /** Agreed, and delivered only once every daemon of the configuration holds it. */
    SAFE(5);

    private static final ServiceLevel[] BY_CODE = values();

    private final int code;

    ServiceLevel(int code) {
        this.code = code;
    }

    /** The wire code of this level (0..5). */
    public int code() {
        return code;
    }

    /**
     * Whether receivers deliver messages of this level in one total order (CAUSAL, AGREED, SAFE).
     * Every level above UNRELIABLE travels in that order, but only these promise it.
     */
    public boolean isTotallyOrdered() {
        return code >= CAUSAL.code;
    }

    /**
     * The level with this wire code.
     *
     * @throws ConsortException with {@link ErrorCode#UNKNOWN_SERVICE_LEVEL} for any other code
     */
    public static ServiceLevel fromCode(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new ConsortException(ErrorCode.UNKNOWN_SERVICE_LEVEL, "unknown service level " + code);
        }
        return BY_CODE[code];
    }
}

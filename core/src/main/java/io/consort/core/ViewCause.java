package io.consort.core;

/**
 * Why a group's membership changed.
 *
 * <pre>{@code
 * session.views("chat")
 *        .filter(v -> v.cause() == ViewCause.DISCONNECT)
 *        .subscribe(v -> log.warn("{} vanished", v.changed()));
 * }</pre>
 */
public enum ViewCause {
    /** A session joined the group. */
    JOIN(1),
    /** A session left the group, or disconnected cleanly. */
    LEAVE(2),
    /** A session vanished: its connection was lost or it was disconnected for cause. */
    DISCONNECT(3),
    /** Daemons came or went: the configuration changed. */
    NETWORK(4);

    private final int code;

    ViewCause(int code) {
        this.code = code;
    }

    /** The wire code of this cause. */
    public int code() {
        return code;
    }

    /** The cause with this wire code. */
    public static ViewCause fromCode(int code) {
        for (ViewCause c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        throw new ConsortException(ErrorCode.MALFORMED_FRAME, "unknown view cause " + code);
    }
}

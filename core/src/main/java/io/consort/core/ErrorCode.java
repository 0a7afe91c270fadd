package io.consort.core;

/**
 * Why a request failed or a session was closed. Codes travel on the wire (see docs/PROTOCOL.md),
 * so existing values never change meaning.
 *
 * <pre>{@code
 * session.onClose().doOnError(ConsortException.class, e -> {
 *     if (e.code() == ErrorCode.SLOW_CONSUMER) metrics.increment("consort.slow");
 * }).subscribe();
 * }</pre>
 */
public enum ErrorCode {
    /** The frame could not be decoded: bad length, truncated body, bad field. */
    MALFORMED_FRAME(1),
    /** The frame type is not one this daemon knows. */
    UNKNOWN_FRAME_TYPE(2),
    /** The client speaks a protocol version this daemon does not. */
    UNSUPPORTED_VERSION(3),
    /** A group name is empty, too long, or has characters outside printable ASCII or a '#'. */
    INVALID_GROUP_NAME(4),
    /** A requested private name is empty, too long or has characters that are not allowed. */
    INVALID_PRIVATE_NAME(5),
    /** Another session on this daemon already has the requested private name. */
    DUPLICATE_PRIVATE_NAME(6),
    /** A message is larger than the configured maximum. */
    MESSAGE_TOO_LARGE(7),
    /** A message names more groups than the configured maximum, or none. */
    TOO_MANY_GROUPS(8),
    /** The service level code is not one of the six. */
    UNKNOWN_SERVICE_LEVEL(9),
    /** The client broke the protocol: sent before the handshake, without send credits, or reused a stream id. */
    PROTOCOL_VIOLATION(10),
    /** The session did not read fast enough and its daemon-side buffer reached its bound. */
    SLOW_CONSUMER(11),
    /** The session asked to leave a group it is not a member of. */
    NOT_A_MEMBER(12),
    /** The daemon is shutting down. */
    DAEMON_SHUTDOWN(13),
    /** The daemon has reached its configured number of sessions. */
    TOO_MANY_SESSIONS(14),
    /** The connection to the daemon was lost. */
    CONNECTION_LOST(15),
    /**
     * The daemon did not accept the session's credentials (or their absence). Deliberately says
     * nothing more, so that a guesser learns nothing about which identities exist.
     */
    AUTH_FAILED(16),
    /** The session's identity may not do this (connect, join, send to a group, or unicast). */
    ACCESS_DENIED(17),
    /**
     * The daemon stopped on an internal fault (its engine failed a check), so it can no longer vouch
     * for its state: its sessions are closed and its daemon network re-forms without it. Reconnect
     * to another daemon, or to this one once restarted.
     */
    DAEMON_FAILED(18);

    private static final ErrorCode[] BY_CODE = new ErrorCode[32];

    static {
        for (ErrorCode c : values()) {
            BY_CODE[c.code] = c;
        }
    }

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    /** The wire code of this error. */
    public int code() {
        return code;
    }

    /** The error with this wire code, or {@link #MALFORMED_FRAME} for a code this version does not know. */
    public static ErrorCode fromCode(int code) {
        ErrorCode c = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        return c == null ? MALFORMED_FRAME : c;
    }
}

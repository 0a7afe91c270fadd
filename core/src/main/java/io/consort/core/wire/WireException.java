package io.consort.core.wire;

/** A datagram that cannot be decoded: too short, wrong magic or version, a count past its end. */
public final class WireException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A decoding failure described by {@code message}. */
    public WireException(String message) {
        super(message, null, false, false);
    }
}

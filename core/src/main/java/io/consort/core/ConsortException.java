package io.consort.core;

import java.util.Objects;

/**
 * A failure with a reason the user can act on: what went wrong ({@link #code()}) and a text
 * that names the offending value.
 *
 * <pre>{@code
 * session.join("bad#name").onErrorResume(ConsortException.class, e -> {
 *     log.warn("join refused: {} ({})", e.getMessage(), e.code());
 *     return Mono.empty();
 * });
 * }</pre>
 */
public class ConsortException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /** A failure with this code and text. */
    public ConsortException(ErrorCode code, String message) {
        super(Objects.requireNonNull(message, "message"));
        this.code = Objects.requireNonNull(code, "code");
    }

    /** The text naming the offending value; never null, since every constructor takes one. */
    @Override
    public String getMessage() {
        return Objects.requireNonNull(super.getMessage());
    }

    /** What went wrong. */
    public ErrorCode code() {
        return code;
    }
}

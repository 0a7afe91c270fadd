package io.consort.protocol;

import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A decoded HELLO, the first frame of every session. Layouts (docs/PROTOCOL.md):
 *
 * <pre>
 * version 1: | version u16 = 1 | user str |
 * version 2: | version u16 = 2 | user str | method u8 | credentials (by method) |
 *            method 0 (none):     nothing more
 *            method 1 (password): | identity str | secret bytes |
 * </pre>
 *
 * <pre>{@code
 * Hello hello = Hello.decode(new FrameReader(frame)); // after the type byte was read
 * if (hello.hasPassword()) authenticator.check(hello.identity(), hello.secret());
 * }</pre>
 *
 * @param version  the version the client asked for
 * @param user     the user part of the private name the client asks for
 * @param method   {@link FrameType#AUTH_NONE} or {@link FrameType#AUTH_PASSWORD}
 * @param identity who the client says it is (password method), else null
 * @param secret   the password's UTF-8 bytes (password method), else null
 */
public record Hello(int version, String user, int method, @Nullable String identity, byte @Nullable [] secret) {
    /** The most bytes of a password we read; a longer one is malformed (PBKDF2 hashes it whole). */
    public static final int SECRET_BYTES_MAX = 1024;

    public Hello {
        Objects.requireNonNull(user, "user");
    }

    /**
     * Decodes the body of a HELLO whose type byte {@code r} has read. Throws {@link ConsortException}
     * with UNSUPPORTED_VERSION, MALFORMED_FRAME (truncated, trailing bytes, an unknown method, a secret
     * over {@value #SECRET_BYTES_MAX} bytes).
     */
    public static Hello decode(FrameReader r) {
        int version = r.u16("version");
        if (version < FrameType.VERSION_MIN || version > FrameType.VERSION) {
            throw new ConsortException(ErrorCode.UNSUPPORTED_VERSION, "protocol version " + version
                    + " is not supported; this daemon speaks " + FrameType.VERSION_MIN + " to " + FrameType.VERSION);
        }
        String user = r.str("user");
        if (version == 1) {
            r.end();
            return new Hello(version, user, FrameType.AUTH_NONE, null, null);
        }
        int method = r.u8("method");
        switch (method) {
            case FrameType.AUTH_NONE -> {
                r.end();
                return new Hello(version, user, method, null, null);
            }
            case FrameType.AUTH_PASSWORD -> {
                String identity = r.str("identity");
                byte[] secret = r.bytes("secret");
                r.end();
                if (secret.length > SECRET_BYTES_MAX) {
                    throw new ConsortException(ErrorCode.MALFORMED_FRAME, "secret longer than " + SECRET_BYTES_MAX + " bytes");
                }
                return new Hello(version, user, method, identity, secret);
            }
            default -> throw new ConsortException(ErrorCode.MALFORMED_FRAME, "unknown authentication method " + method);
        }
    }

    /** Whether the client presented an identity and a password. */
    public boolean hasPassword() {
        return method == FrameType.AUTH_PASSWORD && identity != null && secret != null;
    }

    @Override
    public String toString() {
        // Never the secret, whatever logs this.
        return "Hello[version=" + version + ", user=" + user + ", method=" + method + ", identity=" + identity + "]";
    }
}

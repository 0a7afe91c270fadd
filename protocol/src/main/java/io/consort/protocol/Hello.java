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
 * version 3: | version u16 = newest | user str | method u8 | credentials | oldest u16 |
 *            the client speaks oldest to newest; a later version may append fields, which a
 *            daemon that does not know them skips
 * </pre>
 *
 * A daemon answers a version-3 HELLO with the newest version both speak
 * ({@link #negotiated()}, in WELCOME), or UNSUPPORTED_VERSION if they share none; a version-1 or -2
 * HELLO with that version.
 *
 * <pre>{@code
 * Hello hello = Hello.decode(new FrameReader(frame)); // after the type byte was read
 * if (hello.hasPassword()) authenticator.check(hello.identity(), hello.secret());
 * }</pre>
 *
 * @param version  the version the client asked for (from version 3: the newest it speaks)
 * @param oldest   the oldest version the client speaks ({@code version} itself before version 3)
 * @param user     the user part of the private name the client asks for
 * @param method   {@link FrameType#AUTH_NONE} or {@link FrameType#AUTH_PASSWORD}
 * @param identity who the client says it is (password method), else null
 * @param secret   the password's UTF-8 bytes (password method), else null
 */
public record Hello(int version, int oldest, String user, int method, @Nullable String identity,
        byte @Nullable [] secret) {
    /** The most bytes of a password we read; a longer one is malformed (PBKDF2 hashes it whole). */
    public static final int SECRET_BYTES_MAX = 1024;

    public Hello {
        Objects.requireNonNull(user, "user");
    }

    /** A HELLO of version 1 or 2, which offers that version alone. */
    public Hello(int version, String user, int method, @Nullable String identity, byte @Nullable [] secret) {
        this(version, version, user, method, identity, secret);
    }

    /** The version this daemon and the client speak: the newest both do (decode refuses a HELLO that shares none). */
    public int negotiated() {
        return Math.min(version, FrameType.VERSION);
    }

    /**
     * Decodes the body of a HELLO whose type byte {@code r} has read. Throws {@link ConsortException}
     * with UNSUPPORTED_VERSION, MALFORMED_FRAME (truncated, trailing bytes, an unknown method, a secret
     * over {@value #SECRET_BYTES_MAX} bytes).
     */
    public static Hello decode(FrameReader r) {
        int version = r.u16("version");
        if (version < FrameType.VERSION_MIN) {
            throw unsupported("protocol version " + version);
        }
        if (version >= 3) {
            return decodeOffer(r, version);
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
                byte[] secret = secret(r);
                r.end();
                return new Hello(version, user, method, identity, secret);
            }
            default -> throw new ConsortException(ErrorCode.MALFORMED_FRAME, "unknown authentication method " + method);
        }
    }

    /**
     * A HELLO of version 3 or later: the version-3 layout, then whatever a later version appends.
     * One above what this daemon speaks that is not laid out so is refused as unsupported, not
     * malformed: the daemon cannot tell what that version means.
     */
    private static Hello decodeOffer(FrameReader r, int newest) {
        String user;
        int method;
        String identity = null;
        byte[] secret = null;
        int oldest;
        try {
            user = r.str("user");
            method = r.u8("method");
            if (method == FrameType.AUTH_PASSWORD) {
                identity = r.str("identity");
                secret = secret(r);
            } else if (method != FrameType.AUTH_NONE) {
                throw new ConsortException(ErrorCode.MALFORMED_FRAME, "unknown authentication method " + method);
            }
            oldest = r.u16("oldest");
            if (newest == 3) {
                r.end();
            }
        } catch (ConsortException e) {
            if (newest > FrameType.VERSION && e.code() == ErrorCode.MALFORMED_FRAME) {
                throw unsupported("protocol version " + newest + " (a HELLO this daemon cannot read)");
            }
            throw e;
        }
        if (oldest < 1 || oldest > newest) {
            throw new ConsortException(ErrorCode.MALFORMED_FRAME, "HELLO offers versions " + oldest + " to " + newest);
        }
        if (oldest > FrameType.VERSION) {
            throw unsupported("protocol versions " + oldest + " to " + newest);
        }
        return new Hello(newest, oldest, user, method, identity, secret);
    }

    private static byte[] secret(FrameReader r) {
        byte[] secret = r.bytes("secret");
        if (secret.length > SECRET_BYTES_MAX) {
            throw new ConsortException(ErrorCode.MALFORMED_FRAME, "secret longer than " + SECRET_BYTES_MAX + " bytes");
        }
        return secret;
    }

    private static ConsortException unsupported(String what) {
        return new ConsortException(ErrorCode.UNSUPPORTED_VERSION, what + " is not supported; this daemon speaks "
                + FrameType.VERSION_MIN + " to " + FrameType.VERSION);
    }

    /** Whether the client presented an identity and a password. */
    public boolean hasPassword() {
        return method == FrameType.AUTH_PASSWORD && identity != null && secret != null;
    }

    @Override
    public String toString() {
        // Never the secret, whatever logs this.
        return "Hello[version=" + version + ", oldest=" + oldest + ", user=" + user + ", method=" + method + ", identity=" + identity + "]";
    }
}

package io.consort.reactive;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An identity and its password, sent in the session's HELLO (protocol version 2). Send it only over
 * TLS or loopback: the daemon stores a hash, but the wire carries the password itself.
 *
 * <pre>{@code
 * ConsortClient client = ConsortClient.create().tls(tls).credentials(Credentials.password("alice", secret));
 * }</pre>
 */
public final class Credentials {
    private final String identity;
    private final byte[] secret;

    private Credentials(String identity, byte[] secret) {
        this.identity = identity;
        this.secret = secret;
    }

    /** {@code identity} with {@code password}; the identity is 1 to 65535 bytes of UTF-8. */
    public static Credentials password(String identity, String password) {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(password, "password");
        if (identity.isEmpty()) {
            throw new IllegalArgumentException("an identity may not be empty");
        }
        byte[] secret = password.getBytes(StandardCharsets.UTF_8);
        if (secret.length > 1024) {
            throw new IllegalArgumentException("a password may be at most 1024 bytes of UTF-8");
        }
        return new Credentials(identity, secret);
    }

    public String identity() {
        return identity;
    }

    /** The password's UTF-8 bytes (a copy). */
    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public String toString() {
        return "Credentials[" + identity + ", password]";
    }
}

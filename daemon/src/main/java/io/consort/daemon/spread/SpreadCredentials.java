package io.consort.daemon.spread;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Consort's credentials in Spread's authentication exchange. Where consortd's session security is
 * configured, its method list offers {@value #METHOD} beside NULL; a Spread program registers it
 * with Spread's own {@code SP_set_auth_method("CONSORT", fn, data)}, and its {@code fn(fd, data)}
 * writes, after the library sent its choice of methods:
 *
 * <pre>
 *   u8 identity length (1..255) | identity (UTF-8) | u8 password length (0..255) | password (UTF-8)
 * </pre>
 *
 * <p>The daemon checks them as it checks a Consort client's password HELLO (same users, same
 * throttle, same connect rule) and answers with the accept, or with {@code REJECT_AUTH}. NULL alone
 * is an anonymous login. For example, in C:
 *
 * <pre>{@code
 * static int consort_auth(int fd, void *data) {
 *     const char *id = "ops", *pw = data; unsigned char b[512]; int n = 0;
 *     b[n++] = strlen(id); memcpy(b + n, id, strlen(id)); n += strlen(id);
 *     b[n++] = strlen(pw); memcpy(b + n, pw, strlen(pw)); n += strlen(pw);
 *     return send(fd, b, n, 0) == n;
 * }
 * SP_set_auth_method("CONSORT", consort_auth, "secret");
 * }</pre>
 *
 * @param identity the identity (a name under {@code security.authentication.users})
 * @param secret   the password's UTF-8 bytes
 */
record SpreadCredentials(String identity, byte[] secret) {
    /** The method's name in Spread's exchange (at most 29 characters, Spread's MAX_AUTH_NAME less one). */
    static final String METHOD = "CONSORT";

    /**
     * The credentials at the start of {@code in}, consumed; null (and nothing consumed) if they are
     * not all there yet.
     *
     * @throws IllegalArgumentException if the identity is empty
     */
    static @Nullable SpreadCredentials read(ByteBuf in) {
        int at = in.readerIndex();
        if (in.readableBytes() < 1) {
            return null;
        }
        int idLen = in.getUnsignedByte(at);
        if (idLen == 0) {
            throw new IllegalArgumentException("empty identity");
        }
        if (in.readableBytes() < 1 + idLen + 1) {
            return null;
        }
        int secretLen = in.getUnsignedByte(at + 1 + idLen);
        if (in.readableBytes() < 2 + idLen + secretLen) {
            return null;
        }
        String identity = in.toString(at + 1, idLen, StandardCharsets.UTF_8);
        byte[] secret = new byte[secretLen];
        in.getBytes(at + 2 + idLen, secret);
        in.skipBytes(2 + idLen + secretLen);
        return new SpreadCredentials(identity, secret);
    }
}

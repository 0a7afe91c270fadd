package io.consort.daemon.security;

import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.BufferedReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.KeySpec;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes for the configuration file: PBKDF2 with HMAC-SHA256 from the JDK, a random 16-byte
 * salt per password, encoded as {@code pbkdf2-sha256:<iterations>:<salt base64>:<hash base64>}.
 * {@code consortd --hash-password} (or this class's {@code main}) reads a password and prints its hash.
 *
 * <pre>{@code
 * String stored = PasswordHash.hash("s3cret".toCharArray());   // pbkdf2-sha256:210000:...:...
 * boolean ok = PasswordHash.verify(stored, "s3cret".getBytes(StandardCharsets.UTF_8));
 * }</pre>
 */
public final class PasswordHash {
    /** The scheme prefix of every encoding. */
    public static final String SCHEME = "pbkdf2-sha256";
    /** Iterations of new hashes: OWASP's 2023 figure for PBKDF2-HMAC-SHA256 is 600 000; we take 210 000, a login about 0.1 s. */
    public static final int ITERATIONS = 210_000;
    /** The fewest and most iterations a stored hash may have; more would let a config file stall logins. */
    static final int ITERATIONS_MIN = 1_000;
    static final int ITERATIONS_MAX = 10_000_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHash() {
    }

    /** The encoding of {@code password} with a fresh salt and {@link #ITERATIONS}. */
    public static String hash(char[] password) {
        return hash(password, ITERATIONS);
    }

    /** The encoding of {@code password} with a fresh salt and {@code iterations} (tests use few). */
    public static String hash(char[] password, int iterations) {
        if (iterations < ITERATIONS_MIN || iterations > ITERATIONS_MAX) {
            throw new IllegalArgumentException("iterations must be " + ITERATIONS_MIN + " to " + ITERATIONS_MAX);
        }
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] dk = derive(password, salt, iterations, HASH_BYTES);
        Base64.Encoder b64 = Base64.getEncoder();
        return SCHEME + ":" + iterations + ":" + b64.encodeToString(salt) + ":" + b64.encodeToString(dk);
    }

    /**
     * Whether {@code secret} (a password's UTF-8 bytes, as a HELLO carries it) matches {@code stored}.
     * False for bytes that are not UTF-8 and for a malformed {@code stored}; compares in constant time.
     */
    public static boolean verify(String stored, byte[] secret) {
        String[] parts = stored.split(":", -1);
        if (parts.length != 4 || !parts[0].equals(SCHEME)) {
            return false;
        }
        char[] password = null;
        try {
            int iterations = Integer.parseInt(parts[1]);
            if (iterations < ITERATIONS_MIN || iterations > ITERATIONS_MAX) {
                return false;
            }
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            if (expected.length == 0 || expected.length > 64) {
                return false;
            }
            password = decodeUtf8(secret);
            byte[] actual = derive(password, salt, iterations, expected.length);
            return MessageDigest.isEqual(expected, actual);
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return false;
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
    }

    /** Throws IllegalArgumentException naming {@code identity} unless {@code stored} is a well-formed encoding. */
    static void requireWellFormed(String stored, String identity) {
        String[] parts = stored.split(":", -1);
        boolean ok = parts.length == 4 && parts[0].equals(SCHEME);
        try {
            if (ok) {
                int iterations = Integer.parseInt(parts[1]);
                ok = iterations >= ITERATIONS_MIN && iterations <= ITERATIONS_MAX
                        && Base64.getDecoder().decode(parts[2]).length > 0
                        && Base64.getDecoder().decode(parts[3]).length > 0;
            }
        } catch (IllegalArgumentException e) {
            ok = false;
        }
        if (!ok) {
            throw new IllegalArgumentException("the password hash of '" + identity + "' is not " + SCHEME
                    + ":<iterations>:<salt base64>:<hash base64> (make one with consortd --hash-password)");
        }
    }

    private static char[] decodeUtf8(byte[] secret) throws CharacterCodingException {
        CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(secret));
        char[] out = new char[chars.remaining()];
        chars.get(out);
        Arrays.fill(chars.array(), '\0');
        return out;
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations, int bytes) {
        KeySpec spec = new PBEKeySpec(password, salt, iterations, bytes * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        } finally {
            ((PBEKeySpec) spec).clearPassword();
        }
    }

    /** Reads a password (without echo on a terminal, else one line of standard input) and prints its hash. */
    public static void main(String[] args) throws IOException {
        System.out.println(hash(readPassword()));
    }

    /** A password from the console without echo, or the first line of standard input. */
    public static char[] readPassword() throws IOException {
        Console console = System.console();
        if (console != null) {
            char[] p = console.readPassword("password: ");
            if (p == null || p.length == 0) {
                throw new IOException("no password given");
            }
            return p;
        }
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (line == null || line.isEmpty()) {
            throw new IOException("no password on standard input");
        }
        return line.toCharArray();
    }
}

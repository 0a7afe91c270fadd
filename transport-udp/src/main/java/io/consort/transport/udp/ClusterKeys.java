package io.consort.transport.udp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cluster keys of a daemon network: one or two AES-256 keys, each with an id, and which of
 * them this daemon seals with. Every key listed is accepted on receipt, so a rotation runs in
 * three phases, each completed on every daemon before the next starts (as Corosync rotates its
 * keys): add the new key beside the old one, then send with the new one, then retire the old one.
 *
 * <p>The key file holds one key per line, {@code <id> <base64 of 32 bytes> [send]}; {@code #}
 * starts a comment. With one key, that key is the send key; with two, exactly one says {@code send}:
 *
 * <pre>
 * # phase (a) of a rotation from key 1 to key 2: both accepted, 1 still sends
 * 1 3q2+7w3q2+7w3q2+7w3q2+7w3q2+7w3q2+7w3q2+7w8= send
 * 2 u7vMzd7vMzd7vMzd7vMzd7vMzd7vMzd7vMzd7vMzd7s=
 * </pre>
 *
 * <pre>{@code
 * ClusterKeys keys = ClusterKeys.read(Path.of("/etc/consort/cluster.key"));
 * PacketSealer sealer = PacketSealer.forProcess(selfId, keys);
 * }</pre>
 *
 * A fresh key: {@code head -c 32 /dev/urandom | base64}.
 */
public final class ClusterKeys {
    /** Bytes of an AES-256 key. */
    public static final int KEY_BYTES = 32;
    /** The most keys a file may hold: the current one and the next (or previous) one. */
    public static final int MAX_KEYS = 2;

    private final Map<Integer, SecretKey> keys;
    private final int sendKeyId;
    private final String fingerprint;

    private ClusterKeys(Map<Integer, SecretKey> keys, int sendKeyId) {
        this.keys = Collections.unmodifiableMap(new TreeMap<>(keys));
        this.sendKeyId = sendKeyId;
        this.fingerprint = fingerprintOf(this.keys, sendKeyId);
    }

    /** A single key {@code id} (1 to 255), which is also the send key. */
    public static ClusterKeys of(int id, byte[] key) {
        return new ClusterKeys(Map.of(checkId(id), spec(key)), id);
    }

    /** Two keys, both accepted, sealing with {@code sendId}. */
    public static ClusterKeys of(int id1, byte[] key1, int id2, byte[] key2, int sendId) {
        if (checkId(id1) == checkId(id2)) {
            throw new IllegalArgumentException("two keys with one id " + id1);
        }
        if (sendId != id1 && sendId != id2) {
            throw new IllegalArgumentException("the send key " + sendId + " is neither " + id1 + " nor " + id2);
        }
        return new ClusterKeys(Map.of(id1, spec(key1), id2, spec(key2)), sendId);
    }

    /** Reads a key file; a mistake is a {@link DaemonConfigFile.ConfigException} naming the file and line. */
    public static ClusterKeys read(Path file) {
        Objects.requireNonNull(file, "file");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new DaemonConfigFile.ConfigException(file + ": cannot read the cluster key file: " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    /** Parses the text of a key file; {@code source} names it in errors. */
    public static ClusterKeys parse(String text, String source) {
        Map<Integer, SecretKey> keys = new TreeMap<>();
        int send = -1;
        int sendMarks = 0;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = source + ":" + (i + 1) + ": ";
            String[] f = line.split("\\s+");
            if (f.length < 2 || f.length > 3 || (f.length == 3 && !f[2].equals("send"))) {
                throw new DaemonConfigFile.ConfigException(where + "a key line is <id> <base64 key> [send]");
            }
            int id;
            try {
                id = Integer.parseInt(f[0]);
            } catch (NumberFormatException e) {
                id = -1;
            }
            if (id < 1 || id > 255) {
                throw new DaemonConfigFile.ConfigException(where + "a key id is 1 to 255, was '" + f[0] + "'");
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(f[1]);
            } catch (IllegalArgumentException e) {
                throw new DaemonConfigFile.ConfigException(where + "key " + id + " is not base64");
            }
            if (key.length != KEY_BYTES) {
                throw new DaemonConfigFile.ConfigException(where + "key " + id + " has " + key.length
                        + " bytes; an AES-256 key has " + KEY_BYTES + " (head -c 32 /dev/urandom | base64)");
            }
            if (keys.put(id, new SecretKeySpec(key, "AES")) != null) {
                throw new DaemonConfigFile.ConfigException(where + "key " + id + " is listed twice");
            }
            if (keys.size() > MAX_KEYS) {
                throw new DaemonConfigFile.ConfigException(where + "at most " + MAX_KEYS
                        + " keys (the current and the next); retire one first");
            }
            if (f.length == 3) {
                send = id;
                sendMarks++;
            }
        }
        if (keys.isEmpty()) {
            throw new DaemonConfigFile.ConfigException(source + ": the cluster key file holds no key");
        }
        if (sendMarks > 1) {
            throw new DaemonConfigFile.ConfigException(source + ": only one key may say send");
        }
        if (sendMarks == 0) {
            if (keys.size() > 1) {
                throw new DaemonConfigFile.ConfigException(source + ": with two keys, one must say send");
            }
            send = keys.keySet().iterator().next();
        }
        return new ClusterKeys(keys, send);
    }

    /** The key with {@code id}, or null if it is not (or no longer) accepted. */
    SecretKey key(int id) {
        return keys.get(id);
    }

    /** The id of the key this daemon seals with. */
    public int sendKeyId() {
        return sendKeyId;
    }

    /** The ids of every accepted key, ascending. */
    public java.util.Set<Integer> keyIds() {
        return keys.keySet();
    }

    /** Whether both sets hold the same keys and send with the same one. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterKeys k && k.fingerprint.equals(fingerprint);
    }

    @Override
    public int hashCode() {
        return fingerprint.hashCode();
    }

    /** Ids only: a key's bytes never reach a log. */
    @Override
    public String toString() {
        return "accept " + keys.keySet() + ", send with " + sendKeyId;
    }

    private static int checkId(int id) {
        if (id < 1 || id > 255) {
            throw new IllegalArgumentException("a key id is 1 to 255, was " + id);
        }
        return id;
    }

    private static SecretKey spec(byte[] key) {
        if (Objects.requireNonNull(key, "key").length != KEY_BYTES) {
            throw new IllegalArgumentException("an AES-256 key has " + KEY_BYTES + " bytes, was " + key.length);
        }
        return new SecretKeySpec(key, "AES");
    }

    /** A digest of ids and key bytes, so that equality does not compare key material by hand. */
    private static String fingerprintOf(Map<Integer, SecretKey> keys, int send) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<Integer, SecretKey> e : keys.entrySet()) {
                md.update((byte) (int) e.getKey());
                md.update(e.getValue().getEncoded());
            }
            md.update((byte) send);
            return Base64.getEncoder().encodeToString(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

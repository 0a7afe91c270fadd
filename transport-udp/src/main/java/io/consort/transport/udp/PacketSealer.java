package io.consort.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.jspecify.annotations.Nullable;

/**
 * Seals every daemon-to-daemon packet with AES-256-GCM under the cluster key, and opens (or
 * drops) what arrives. A sealed packet keeps the transport header's magic and sender in clear,
 * authenticated with the key id and counter as additional data; the engine's bytes are encrypted:
 *
 * <pre>
 * 0      1      2       3          4               6        7                  15                 n-16     n
 * +------+------+-------+----------+---------------+--------+------------------+------------------+--------+
 * | 0x43 | 0x44 | ver 3 | inner ver| sender id u16 | key id | counter u64      | ciphertext       | tag 16 |
 * +------+------+-------+----------+---------------+--------+------------------+------------------+--------+
 *  \____________________ additional authenticated data (15 bytes) ___________/
 * </pre>
 *
 * The inner version is the plain packet's (1: one engine datagram, 2: a bundle, see
 * {@link UdpDaemonNetwork}); opening gives back that plain packet exactly. The 96-bit GCM nonce is
 * {@code key id | 0 | sender id u16 | counter u64}: unique as long as each daemon id is run by one
 * process at a time, because the counter of a process starts at its start time in milliseconds
 * times 2<sup>20</sup> and only grows, so a restarted daemon continues above every counter its
 * previous run used (unless the wall clock went back by more than its downtime), and it stays
 * above the receivers' replay windows, which therefore accept it at once.
 *
 * <p>Opening checks, in order: length, magic, version (a plain packet is refused: {@link Drop#UNSEALED}),
 * the key id ({@link Drop#UNKNOWN_KEY}), the sender's {@link ReplayWindow} ({@link Drop#REPLAYED}),
 * then the tag ({@link Drop#FAILED_AUTHENTICATION}: forged, tampered, truncated, or another key
 * under the same id). Only an authentic packet moves the replay window. Every refusal is counted
 * by reason; nothing throws.
 *
 * <pre>{@code
 * PacketSealer sealer = PacketSealer.forProcess(selfId, ClusterKeys.read(keyFile));
 * UdpDaemonNetwork net = UdpDaemonNetwork.create(udpOptions, maxPacketBytes, sealer);
 * sealer.install(ClusterKeys.read(keyFile));   // after a rotation step: takes effect on the next packet
 * }</pre>
 *
 * Thread-safe; in the transport, one event-loop thread seals and opens.
 */
public final class PacketSealer {
    /** Why a received packet was dropped. */
    public enum Drop {
        /** Shorter than a sealed header and tag. */
        TRUNCATED,
        /** Not a Consort daemon packet (magic). */
        MALFORMED,
        /** A plain (unsealed) daemon packet where packets must be sealed. */
        UNSEALED,
        /** Sealed under a key id this daemon does not (or no longer) accept. */
        UNKNOWN_KEY,
        /** A counter this daemon already accepted from that sender, or one too old to tell. */
        REPLAYED,
        /** The tag does not verify: forged, tampered with, truncated, or sealed under another key. */
        FAILED_AUTHENTICATION
    }

    /** The sealed packet's version. */
    public static final byte VERSION_SEALED = 3;
    /** Bytes of the sealed header, all of it authenticated. */
    public static final int SEALED_HEADER_BYTES = 15;
    /** Bytes of the GCM tag. */
    public static final int TAG_BYTES = 16;
    /** How many bytes a sealed packet is longer than the plain one. */
    public static final int OVERHEAD_BYTES = SEALED_HEADER_BYTES + TAG_BYTES - UdpDaemonNetwork.HEADER_BYTES;
    private static final ByteBufAllocator HEAP = new UnpooledByteBufAllocator(false);
    private static final byte MAGIC_0 = 0x43;
    private static final byte MAGIC_1 = 0x44;

    private final int selfId;
    private final AtomicReference<ClusterKeys> keys;
    private final AtomicLong nextCounter;
    private final Object sealLock = new Object();
    private final Object openLock = new Object();
    private final Cipher sealCipher;
    private final Cipher openCipher;
    private final byte[] nonce = new byte[12];
    private final byte[] openNonce = new byte[12];
    private final Map<Integer, ReplayWindow> windows = new HashMap<>();
    private final AtomicLongArray drops = new AtomicLongArray(Drop.values().length);
    private final AtomicLong sealed = new AtomicLong();
    private final AtomicLong opened = new AtomicLong();

    private PacketSealer(int selfId, ClusterKeys keys, long firstCounter) {
        if (firstCounter < 0) {
            throw new IllegalArgumentException("the first counter must not be negative, was " + firstCounter);
        }
        this.selfId = selfId;
        this.keys = new AtomicReference<>(Objects.requireNonNull(keys, "keys"));
        this.nextCounter = new AtomicLong(firstCounter);
        try {
            this.sealCipher = Cipher.getInstance("AES/GCM/NoPadding");
            this.openCipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no AES/GCM", e);
        }
    }

    /** A sealer for daemon {@code selfId} whose counter starts at this process's start time (see above). */
    public static PacketSealer forProcess(int selfId, ClusterKeys keys) {
        return new PacketSealer(selfId, keys, Math.max(1, System.currentTimeMillis()) << 20);
    }

    /** A sealer whose counter starts at {@code firstCounter}: for simulations, which have no clock. */
    public static PacketSealer withFirstCounter(int selfId, ClusterKeys keys, long firstCounter) {
        return new PacketSealer(selfId, keys, firstCounter);
    }

    /** Replaces the keys: the next packet is sealed with the new send key and opened with the new set. */
    public void install(ClusterKeys newKeys) {
        keys.set(Objects.requireNonNull(newKeys, "newKeys"));
    }

    /** The keys in use. */
    public ClusterKeys keys() {
        return keys.get();
    }

    /** Packets dropped for {@code reason} so far. */
    public long dropped(Drop reason) {
        return drops.get(reason.ordinal());
    }

    /** Packets dropped for any reason so far. */
    public long droppedTotal() {
        long n = 0;
        for (int i = 0; i < drops.length(); i++) {
            n += drops.get(i);
        }
        return n;
    }

    /** Packets sealed so far. */
    public long sealedPackets() {
        return sealed.get();
    }

    /** Packets opened (authentic, not replayed) so far. */
    public long openedPackets() {
        return opened.get();
    }

    /**
     * The sealed form of {@code plain}, a transport packet (header, then engine bytes), in a new
     * buffer from {@code alloc}; null if {@code plain} is not a transport packet. {@code plain} is
     * left as it was.
     */
    public @Nullable ByteBuf seal(ByteBufAllocator alloc, ByteBuf plain) {
        int n = plain.readableBytes();
        int at = plain.readerIndex();
        if (n < UdpDaemonNetwork.HEADER_BYTES || plain.getByte(at) != MAGIC_0 || plain.getByte(at + 1) != MAGIC_1) {
            return null;
        }
        byte innerVersion = plain.getByte(at + 2);
        int sender = plain.getUnsignedShort(at + 3);
        int bodyBytes = n - UdpDaemonNetwork.HEADER_BYTES;
        ClusterKeys k = keys.get();
        int keyId = k.sendKeyId();
        SecretKey key = k.key(keyId);
        ByteBuf out = alloc.buffer(SEALED_HEADER_BYTES + bodyBytes + TAG_BYTES);
        boolean done = false;
        try {
            synchronized (sealLock) {
                long counter = nextCounter.getAndIncrement();
                out.writeByte(MAGIC_0).writeByte(MAGIC_1).writeByte(VERSION_SEALED).writeByte(innerVersion)
                        .writeShort(sender).writeByte(keyId).writeLong(counter);
                nonce(nonce, keyId, sender, counter);
                sealCipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
                sealCipher.updateAAD(out.nioBuffer(out.readerIndex(), SEALED_HEADER_BYTES));
                ByteBuffer dst = out.nioBuffer(out.writerIndex(), bodyBytes + TAG_BYTES);
                int written = sealCipher.doFinal(plain.nioBuffer(at + UdpDaemonNetwork.HEADER_BYTES, bodyBytes), dst);
                out.writerIndex(out.writerIndex() + written);
            }
            sealed.incrementAndGet();
            done = true;
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM sealing failed", e);
        } finally {
            if (!done) {
                out.release();
            }
        }
    }

    /** {@link #seal(ByteBufAllocator, ByteBuf)} over arrays; null if {@code plain} is not a transport packet. */
    public byte @Nullable [] seal(byte[] plain) {
        ByteBuf s = seal(HEAP, Unpooled.wrappedBuffer(plain));
        if (s == null) {
            return null;
        }
        try {
            byte[] b = new byte[s.readableBytes()];
            s.readBytes(b);
            return b;
        } finally {
            s.release();
        }
    }

    /**
     * The plain transport packet sealed in {@code packet}, in a new buffer from {@code alloc} no
     * longer than {@code packet}; null if it is dropped (counted under its {@link Drop} reason) or
     * is this daemon's own (a multicast looped back; not counted). {@code packet} is left as it was.
     */
    public @Nullable ByteBuf open(ByteBufAllocator alloc, ByteBuf packet) {
        Drop why = check(packet);
        if (why != null) {
            drops.incrementAndGet(why.ordinal());
            return null;
        }
        int at = packet.readerIndex();
        int n = packet.readableBytes();
        int sender = packet.getUnsignedShort(at + 4);
        if (sender == selfId) {
            return null;
        }
        int keyId = packet.getUnsignedByte(at + 6);
        long counter = packet.getLong(at + 7);
        SecretKey key = keys.get().key(keyId);
        if (key == null) {
            drops.incrementAndGet(Drop.UNKNOWN_KEY.ordinal());
            return null;
        }
        int cipherBytes = n - SEALED_HEADER_BYTES;
        ByteBuf out = alloc.buffer(UdpDaemonNetwork.HEADER_BYTES + cipherBytes - TAG_BYTES);
        boolean done = false;
        try {
            synchronized (openLock) {
                ReplayWindow w = windows.get(sender);
                if (w != null && !w.check(counter)) {
                    drops.incrementAndGet(Drop.REPLAYED.ordinal());
                    return null;
                }
                out.writeByte(MAGIC_0).writeByte(MAGIC_1).writeByte(packet.getByte(at + 3)).writeShort(sender);
                nonce(openNonce, keyId, sender, counter);
                try {
                    openCipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, openNonce));
                    openCipher.updateAAD(packet.nioBuffer(at, SEALED_HEADER_BYTES));
                    ByteBuffer dst = out.nioBuffer(out.writerIndex(), cipherBytes - TAG_BYTES);
                    int written = openCipher.doFinal(packet.nioBuffer(at + SEALED_HEADER_BYTES, cipherBytes), dst);
                    out.writerIndex(out.writerIndex() + written);
                } catch (AEADBadTagException e) {
                    drops.incrementAndGet(Drop.FAILED_AUTHENTICATION.ordinal());
                    return null;
                } catch (GeneralSecurityException | RuntimeException e) {
                    // A JDK cipher refuses what it cannot decrypt in several ways; every one is a bad packet.
                    drops.incrementAndGet(Drop.FAILED_AUTHENTICATION.ordinal());
                    return null;
                }
                if (w == null) {
                    w = new ReplayWindow();
                    windows.put(sender, w);
                }
                w.accept(counter);
            }
            opened.incrementAndGet();
            done = true;
            return out;
        } finally {
            if (!done) {
                out.release();
            }
        }
    }

    /** {@link #open(ByteBufAllocator, ByteBuf)} over arrays. */
    public byte @Nullable [] open(byte[] packet) {
        ByteBuf o = open(HEAP, Unpooled.wrappedBuffer(packet));
        if (o == null) {
            return null;
        }
        try {
            byte[] b = new byte[o.readableBytes()];
            o.readBytes(b);
            return b;
        } finally {
            o.release();
        }
    }

    /** The reason the layout of {@code packet} is refused before any key is looked at, or null. */
    private static @Nullable Drop check(ByteBuf packet) {
        int n = packet.readableBytes();
        int at = packet.readerIndex();
        if (n < 3) {
            return Drop.TRUNCATED;
        }
        if (packet.getByte(at) != MAGIC_0 || packet.getByte(at + 1) != MAGIC_1) {
            return Drop.MALFORMED;
        }
        if (packet.getByte(at + 2) != VERSION_SEALED) {
            return Drop.UNSEALED;
        }
        if (n < SEALED_HEADER_BYTES + TAG_BYTES) {
            return Drop.TRUNCATED;
        }
        if (packet.getLong(at + 7) < 0) {
            return Drop.MALFORMED;
        }
        return null;
    }

    private static void nonce(byte[] nonce, int keyId, int sender, long counter) {
        nonce[0] = (byte) keyId;
        nonce[1] = 0;
        nonce[2] = (byte) (sender >>> 8);
        nonce[3] = (byte) sender;
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (56 - 8 * i));
        }
    }
}

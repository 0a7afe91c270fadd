package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seal of one packet: what opens, what is dropped and why, and the key file. */
class PacketSealerTest {
    static byte[] key(int seed) {
        byte[] k = new byte[ClusterKeys.KEY_BYTES];
        new SplittableRandom(seed).nextBytes(k);
        return k;
    }

    static byte[] plain(int sender, String body) {
        byte[] b = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] p = new byte[5 + b.length];
        p[0] = 0x43;
        p[1] = 0x44;
        p[2] = 1;
        p[3] = (byte) (sender >> 8);
        p[4] = (byte) sender;
        System.arraycopy(b, 0, p, 5, b.length);
        return p;
    }

    private final ClusterKeys keys = ClusterKeys.of(1, key(1));
    private final PacketSealer alice = PacketSealer.withFirstCounter(1, keys, 100);
    private final PacketSealer bob = PacketSealer.withFirstCounter(2, keys, 7);

    @Test
    void aSealedPacketOpensToThePlainOneAndHidesItsBody() {
        byte[] p = plain(1, "a secret engine datagram");
        byte[] s = alice.seal(p);
        assertThat(s).hasSize(p.length + PacketSealer.OVERHEAD_BYTES);
        assertThat(new String(s, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("secret");
        assertThat(bob.open(s)).isEqualTo(p);
        assertThat(bob.openedPackets()).isEqualTo(1);
    }

    @Test
    void everyTamperedByteAndEveryTruncationFailsAuthentication() {
        byte[] s = alice.seal(plain(1, "payload"));
        for (int i = 0; i < s.length; i++) {
            byte[] t = s.clone();
            t[i] ^= 0x01;
            assertThat(bob.open(t)).as("byte %d flipped", i).isNull();
        }
        for (int n = 0; n < s.length; n++) {
            assertThat(bob.open(java.util.Arrays.copyOf(s, n))).as("truncated to %d", n).isNull();
        }
        assertThat(bob.dropped(PacketSealer.Drop.FAILED_AUTHENTICATION)).isPositive();
        assertThat(bob.dropped(PacketSealer.Drop.TRUNCATED)).isPositive();
        assertThat(bob.openedPackets()).isZero();
        assertThat(bob.open(s)).as("the genuine one still opens: forgeries did not move the window").isNotNull();
    }

    @Test
    void aReplayIsDroppedAndReorderingInsideTheWindowIsNot() {
        byte[][] s = new byte[5][];
        for (int i = 0; i < s.length; i++) {
            s[i] = alice.seal(plain(1, "m" + i));
        }
        assertThat(bob.open(s[0])).isNotNull();
        assertThat(bob.open(s[3])).isNotNull();
        assertThat(bob.open(s[1])).as("late, inside the window").isNotNull();
        assertThat(bob.open(s[3])).as("replayed").isNull();
        assertThat(bob.open(s[0])).as("replayed").isNull();
        assertThat(bob.dropped(PacketSealer.Drop.REPLAYED)).isEqualTo(2);
        for (int i = 0; i < ReplayWindow.SIZE + 10; i++) {
            alice.seal(plain(1, "x"));
        }
        assertThat(bob.open(alice.seal(plain(1, "far ahead")))).isNotNull();
        assertThat(bob.open(s[2])).as("older than the window").isNull();
        assertThat(bob.open(s[4])).as("older than the window").isNull();
    }

    @Test
    void anotherKeyOrAnUnknownKeyIdOrAPlainPacketIsDropped() {
        PacketSealer mallory = PacketSealer.withFirstCounter(1, ClusterKeys.of(1, key(2)), 100);
        assertThat(bob.open(mallory.seal(plain(1, "x")))).isNull();
        assertThat(bob.dropped(PacketSealer.Drop.FAILED_AUTHENTICATION)).isEqualTo(1);
        PacketSealer other = PacketSealer.withFirstCounter(1, ClusterKeys.of(9, key(1)), 100);
        assertThat(bob.open(other.seal(plain(1, "x")))).isNull();
        assertThat(bob.dropped(PacketSealer.Drop.UNKNOWN_KEY)).isEqualTo(1);
        assertThat(bob.open(plain(1, "plain"))).isNull();
        assertThat(bob.dropped(PacketSealer.Drop.UNSEALED)).isEqualTo(1);
        assertThat(bob.open(new byte[] {1, 2, 3, 4})).isNull();
        assertThat(bob.dropped(PacketSealer.Drop.MALFORMED)).isEqualTo(1);
    }

    @Test
    void rotationPhasesLoseNothing() {
        byte[] k1 = key(1);
        byte[] k2 = key(2);
        PacketSealer a = PacketSealer.withFirstCounter(1, ClusterKeys.of(1, k1), 1);
        PacketSealer b = PacketSealer.withFirstCounter(2, ClusterKeys.of(1, k1), 1);
        // (a) b accepts both while a still has only the old key; (b) b sends with the new one once a accepts it.
        b.install(ClusterKeys.of(1, k1, 2, k2, 1));
        assertThat(a.open(b.seal(plain(2, "x")))).isNotNull();
        a.install(ClusterKeys.of(1, k1, 2, k2, 1));
        b.install(ClusterKeys.of(1, k1, 2, k2, 2));
        assertThat(a.open(b.seal(plain(2, "sealed with 2")))).isNotNull();
        assertThat(b.open(a.seal(plain(1, "sealed with 1")))).isNotNull();
        a.install(ClusterKeys.of(1, k1, 2, k2, 2));
        // (c) the old key retired: what is still sealed with it is refused.
        byte[] old = PacketSealer.withFirstCounter(1, ClusterKeys.of(1, k1), 1L << 40).seal(plain(1, "x"));
        b.install(ClusterKeys.of(2, k2));
        assertThat(b.open(a.seal(plain(1, "y")))).isNotNull();
        assertThat(b.open(old)).isNull();
        assertThat(b.dropped(PacketSealer.Drop.UNKNOWN_KEY)).isEqualTo(1);
    }

    @Test
    void aRestartedSenderCountsOnAboveItsPreviousRun() throws Exception {
        PacketSealer first = PacketSealer.forProcess(1, keys);
        byte[] s1 = first.seal(plain(1, "x"));
        assertThat(bob.open(s1)).isNotNull();
        long started = System.currentTimeMillis();
        while (System.currentTimeMillis() == started) {
            Thread.onSpinWait(); // the next process starts at least a millisecond later
        }
        PacketSealer restarted = PacketSealer.forProcess(1, keys);
        assertThat(bob.open(restarted.seal(plain(1, "y")))).isNotNull();
    }

    @Test
    void theKeyFileHoldsOneOrTwoKeysAndSaysWhichSends(@TempDir Path dir) throws Exception {
        String k1 = Base64.getEncoder().encodeToString(key(1));
        String k2 = Base64.getEncoder().encodeToString(key(2));
        Path f = dir.resolve("cluster.key");
        Files.writeString(f, "# comment\n1 " + k1 + "\n2 " + k2 + " send\n");
        ClusterKeys read = ClusterKeys.read(f);
        assertThat(read.keyIds()).containsExactly(1, 2);
        assertThat(read.sendKeyId()).isEqualTo(2);
        assertThat(read).isEqualTo(ClusterKeys.of(1, key(1), 2, key(2), 2)).isNotEqualTo(ClusterKeys.of(2, key(2)));
        assertThat(read.toString()).doesNotContain(k1).doesNotContain(k2);
        assertThat(ClusterKeys.parse("7 " + k1, "f").sendKeyId()).isEqualTo(7);
        assertThatThrownBy(() -> ClusterKeys.parse("1 " + k1 + "\n2 " + k2, "f"))
                .hasMessageContaining("one must say send");
        assertThatThrownBy(() -> ClusterKeys.parse("1 " + k1 + "\n2 " + k2 + "\n3 " + k1 + " send", "f"))
                .hasMessageContaining("f:3").hasMessageContaining("at most 2");
        assertThatThrownBy(() -> ClusterKeys.parse("1 AAAA send", "f")).hasMessageContaining("32");
        assertThatThrownBy(() -> ClusterKeys.parse("", "f")).hasMessageContaining("no key");
        assertThatThrownBy(() -> ClusterKeys.parse("0 " + k1, "f")).hasMessageContaining("1 to 255");
    }
}

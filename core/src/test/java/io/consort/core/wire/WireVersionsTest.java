package io.consort.core.wire;

import io.consort.core.WireVersions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Version 2 is release d560984's wire format exactly: each packet below, encoded at version 2, is
 * byte for byte what that release's encoder wrote for it (the hex was produced by its classes), and
 * decodes back to the same packet. Version 3 differs only in the join, which carries its range.
 */
class WireVersionsTest {
    private static final long RING = 0x2a00000001L;

    private static final List<Packet> PACKETS = List.of(
            new JoinPacket(3, 41, RING, List.of(1, 3, 7), List.of(5)),
            new BeaconPacket(1, RING, List.of(1, 3), List.of(7)),
            new TokenPacket(1, RING, 9, 100, 98, 3, 4, 2, true, new long[] {98, 100}, new boolean[] {true, false},
                    new long[] {99}, List.of(7), List.of(7, 8)),
            new CommitPacket(1, 0x2b00000001L, 2, List.of(new CommitPacket.Slot(1, true, RING, 98, 100, 97),
                    new CommitPacket.Slot(3, false, 0, 0, 0, 0))),
            new MessagePacket(3, RING, 101, MessagePacket.KIND_ITEM, true, new byte[] {1, 2, 3}),
            new LeavePacket(3, RING, 100));

    /** What d560984's Packet.encode() wrote for each of {@link #PACKETS}. */
    private static final List<String> RELEASE_D560984 = List.of(
            "c05e0203000300000000000000290000002a00000001000300010003000700010005",
            "c05e020500010000002a0000000100020001000300010007",
            "c05e020100010000002a00000001000000000000000900000000000000640000000000000062000300000004000000020100020000"
                    + "000000000062000000000000006401000001000000000000006300010007000200070008",
            "c05e020400010000002b000000010200020001010000002a00000001000000000000006200000000000000640000000000000061"
                    + "0003000000000000000000000000000000000000000000000000000000000000000000",
            "c05e020200030000002a000000010000000000000065000100000003010203",
            "c05e020600030000002a000000010000000000000064");

    @Test
    void versionTwoIsThePreviousReleasesFormatByteForByte() {
        for (int i = 0; i < PACKETS.size(); i++) {
            byte[] old = HexFormat.of().parseHex(RELEASE_D560984.get(i));
            assertThat(HexFormat.of().formatHex(PACKETS.get(i).encodeAt(2))).as("packet %d at version 2", i)
                    .isEqualTo(RELEASE_D560984.get(i));
            Packet back = Packet.decode(old);
            assertThat(HexFormat.of().formatHex(back.encodeAt(2))).isEqualTo(RELEASE_D560984.get(i));
            assertThat(Header.versionOf(old)).isEqualTo(2);
        }
        JoinPacket fromOld = (JoinPacket) Packet.decode(HexFormat.of().parseHex(RELEASE_D560984.get(0)));
        assertThat(fromOld.versions()).as("all a version-2 join can say").isEqualTo(WireVersions.VERSION_2_ONLY);
    }

    @Test
    void versionThreeJoinsCarryTheSendersRangeAndNothingElseChanges() {
        JoinPacket j = new JoinPacket(3, 41, RING, List.of(1, 3), List.of(), new WireVersions(2, 3));
        byte[] v3 = j.encodeAt(3);
        assertThat(v3).hasSize(j.encodeAt(2).length + 2);
        assertThat(((JoinPacket) Packet.decode(v3)).versions()).isEqualTo(new WireVersions(2, 3));
        for (int i = 1; i < PACKETS.size(); i++) {
            byte[] two = PACKETS.get(i).encodeAt(2);
            byte[] three = PACKETS.get(i).encodeAt(3);
            assertThat(three[2]).isEqualTo((byte) 3);
            three[2] = 2;
            assertThat(three).as("packet %d: only the version byte differs", i).isEqualTo(two);
        }
    }

    @Test
    void aJoinWhoseRangeDoesNotHoldItsOwnVersionIsMalformed() {
        byte[] v3 = new JoinPacket(3, 41, RING, List.of(1, 3), List.of(), new WireVersions(2, 3)).encodeAt(3);
        v3[v3.length - 1] = 2; // announces 2..2 in a version-3 packet
        assertThatThrownBy(() -> Packet.decode(v3)).isInstanceOf(WireException.class);
        byte[] v4 = new BeaconPacket(1, RING, List.of(1), List.of()).encodeAt(3);
        v4[2] = 4;
        assertThatThrownBy(() -> Packet.decode(v4)).isInstanceOf(WireException.class).hasMessageContaining("version 4");
    }

    @Test
    void rangesShareTheirHighestCommonVersion() {
        assertThat(WireVersions.SUPPORTED.highestSharedWith(WireVersions.upTo(2))).isEqualTo(2);
        assertThat(WireVersions.SUPPORTED.highestSharedWith(new WireVersions(3, 9))).isEqualTo(3);
        assertThat(WireVersions.upTo(2).highestSharedWith(new WireVersions(3, 3))).isEqualTo(-1);
        assertThatThrownBy(() -> WireVersions.upTo(4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WireVersions(3, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}

package io.consort.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consort.core.Engine;
import io.consort.core.EngineConfig;
import io.consort.core.ServiceLevel;
import io.consort.core.ViewId;
import io.consort.core.ring.AgreedItem;
import io.consort.core.ring.ItemCodec;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PacketCodecTest {
    private static <T extends Packet> T roundTrip(T p) {
        @SuppressWarnings("unchecked")
        T back = (T) Packet.decode(p.encode());
        return back;
    }

    @Test
    void tokenRoundTrips() {
        TokenPacket t = new TokenPacket(3, 7L << 10 | 1, 42, Long.MAX_VALUE, Long.MAX_VALUE - 3, 2, 17, 5, true,
                new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 3, Long.MIN_VALUE}, new boolean[] {true, false, true},
                new long[] {Long.MAX_VALUE - 2, Long.MAX_VALUE - 1}, List.of(4, 9), List.of(9));
        TokenPacket b = roundTrip(t);
        assertThat(b.sender()).isEqualTo(3);
        assertThat(b.ringId()).isEqualTo(t.ringId());
        assertThat(b.stamp()).isEqualTo(42);
        assertThat(b.seq()).isEqualTo(Long.MAX_VALUE);
        assertThat(b.aru()).isEqualTo(Long.MAX_VALUE - 3);
        assertThat(b.aruId()).isEqualTo(2);
        assertThat(b.fcc()).isEqualTo(17);
        assertThat(b.backlog()).isEqualTo(5);
        assertThat(b.recovered()).isTrue();
        assertThat(b.memberArus()).containsExactly(t.memberArus());
        assertThat(b.memberDone()).containsExactly(true, false, true);
        assertThat(b.rtr()).containsExactly(t.rtr());
        assertThat(b.hearing()).containsExactly(4, 9);
        assertThat(b.heard()).containsExactly(9);
        TokenPacket none = roundTrip(new TokenPacket(0, 1, 0, 0, 0, -1, 0, 0, false, new long[1], new boolean[1],
                new long[0], List.of(), List.of()));
        assertThat(none.aruId()).isEqualTo(-1);
    }

    @Test
    void joinCommitBeaconAndMessageRoundTrip() {
        JoinPacket j = roundTrip(new JoinPacket(2, 99, 12345, List.of(0, 2, 5), List.of(5)));
        assertThat(j).isEqualTo(new JoinPacket(2, 99, 12345, List.of(0, 2, 5), List.of(5)));
        CommitPacket c = new CommitPacket(0, 5 << 10, 2, List.of(new CommitPacket.Slot(0, true, 1, 2, 3, 4),
                new CommitPacket.Slot(4, false, 0, 0, 0, 0)));
        assertThat(roundTrip(c)).isEqualTo(c);
        assertThat(roundTrip(new BeaconPacket(9, 77, List.of(2, 9), List.of(1, 3))))
                .isEqualTo(new BeaconPacket(9, 77, List.of(2, 9), List.of(1, 3)));
        assertThat(roundTrip(new LeavePacket(4, 5L << 10, Long.MIN_VALUE + 3)))
                .isEqualTo(new LeavePacket(4, 5L << 10, Long.MIN_VALUE + 3));
        MessagePacket m = new MessagePacket(1, 1024, -5, MessagePacket.KIND_ITEM, true, new byte[] {1, 2, 3});
        MessagePacket mb = roundTrip(m);
        assertThat(mb.seq()).isEqualTo(-5);
        assertThat(mb.safe()).isTrue();
        assertThat(mb.body()).containsExactly(1, 2, 3);
        MessagePacket carrier = new MessagePacket(2, 2048, 9, MessagePacket.KIND_RECOVERED, false, m.encode());
        assertThat(roundTrip(carrier).recovered().seq()).isEqualTo(-5);
    }

    @Test
    void itemsRoundTrip() {
        List<AgreedItem> items = List.of(
                new AgreedItem.Join("#a#d1", "g"),
                new AgreedItem.Leave("#a#d1", "g"),
                new AgreedItem.Disconnect("#a#d1", true),
                new AgreedItem.GroupState(3, 4096, -77, List.of(new AgreedItem.GroupState.Entry("g",
                        new ViewId(1024, -3), List.of("#a#d3", "#b#d3")))));
        for (AgreedItem i : items) {
            assertThat(ItemCodec.decode(ItemCodec.encode(i))).isEqualTo(i);
        }
        AgreedItem.Data d = new AgreedItem.Data("#a#d1", List.of("g", "#b#d2"), ServiceLevel.SAFE, 65535, true,
                new byte[] {9, 8});
        AgreedItem.Data back = (AgreedItem.Data) ItemCodec.decode(ItemCodec.encode(d));
        assertThat(back.groups()).isEqualTo(d.groups());
        assertThat(back.level()).isEqualTo(ServiceLevel.SAFE);
        assertThat(back.type()).isEqualTo(65535);
        assertThat(back.selfDiscard()).isTrue();
        assertThat(back.payload()).containsExactly(9, 8);
        assertThat(back.originBits()).isZero();
    }

    @Test
    void originBitsTravelWithADataItemAndLeaveAConsortClientsItemAsItWas() {
        AgreedItem.Data plain = new AgreedItem.Data("#a#d1", List.of("g"), ServiceLevel.AGREED, 7, true, new byte[] {1});
        AgreedItem.Data spread = new AgreedItem.Data("#a#d1", List.of("g"), ServiceLevel.AGREED, 7, true,
                new byte[] {1}, 0x1000050 | 0x80);
        byte[] plainBytes = ItemCodec.encode(plain);
        byte[] spreadBytes = ItemCodec.encode(spread);
        // A Consort client's item keeps its encoding byte for byte: self discard is the byte 1.
        assertThat(plainBytes[plainBytes.length - 4 - 1 - 1]).isEqualTo((byte) 1);
        assertThat(spreadBytes).hasSize(plainBytes.length + 4);
        AgreedItem.Data back = (AgreedItem.Data) ItemCodec.decode(spreadBytes);
        assertThat(back.originBits()).isEqualTo(0x1000050 | 0x80);
        assertThat(back.selfDiscard()).isTrue();
        assertThat(back.payload()).containsExactly(1);
        // Flags this codec does not know, or origin bits flagged but 0, are refused.
        byte[] unknown = plainBytes.clone();
        unknown[plainBytes.length - 4 - 1 - 1] = 4;
        assertThatThrownBy(() -> ItemCodec.decode(unknown)).isInstanceOf(WireException.class);
        byte[] zero = spreadBytes.clone();
        java.util.Arrays.fill(zero, spreadBytes.length - 4 - 1 - 4, spreadBytes.length - 4 - 1, (byte) 0);
        assertThatThrownBy(() -> ItemCodec.decode(zero)).isInstanceOf(WireException.class);
    }

    @Test
    void decodeChecksMagicVersionTypeAndLength() {
        byte[] ok = new BeaconPacket(1, 2, List.of(1), List.of()).encode();
        byte[] badMagic = ok.clone();
        badMagic[0] = 0;
        assertThatThrownBy(() -> Packet.decode(badMagic)).isInstanceOf(WireException.class).hasMessageContaining("magic");
        byte[] badVersion = ok.clone();
        badVersion[2] = 1; // a version-1 daemon's packet
        assertThatThrownBy(() -> Packet.decode(badVersion)).isInstanceOf(WireException.class)
                .hasMessageContaining("version");
        byte[] badType = ok.clone();
        badType[3] = 99;
        assertThatThrownBy(() -> Packet.decode(badType)).isInstanceOf(WireException.class).hasMessageContaining("type");
        assertThatThrownBy(() -> Packet.decode(java.util.Arrays.copyOf(ok, ok.length - 1)))
                .isInstanceOf(WireException.class);
        assertThatThrownBy(() -> Packet.decode(java.util.Arrays.copyOf(ok, ok.length + 1)))
                .isInstanceOf(WireException.class).hasMessageContaining("trailing");
        assertThatThrownBy(() -> Packet.decode(new byte[0])).isInstanceOf(WireException.class);
        // A count that claims more than the datagram holds fails before anything is allocated for it.
        byte[] join = new JoinPacket(1, 1, 1, List.of(1), List.of()).encode();
        join[6 + 16] = (byte) 0xFF;
        join[6 + 17] = (byte) 0xFF;
        assertThatThrownBy(() -> Packet.decode(join)).isInstanceOf(WireException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void garbageNeverThrowsOutOfTheEngine() {
        Engine e = new Engine(EngineConfig.defaults().withClustered(true).withDaemonId(1).withDaemonName("d1"));
        e.tick(0);
        SplittableRandom r = new SplittableRandom(7);
        List<byte[]> valid = List.of(new TokenPacket(0, 1 << 10, 1, 0, 0, -1, 0, 0, false, new long[2],
                new boolean[2], new long[0], List.of(), List.of()).encode(), new JoinPacket(0, 5, 0, List.of(0, 1), List.of()).encode(),
                new MessagePacket(0, 1 << 10, 1, MessagePacket.KIND_ITEM, false, new byte[] {1, 0, 1, 0x41}).encode(),
                new CommitPacket(0, 9 << 10, 1, List.of(new CommitPacket.Slot(0, true, 0, 0, 0, 0),
                        new CommitPacket.Slot(1, false, 0, 0, 0, 0))).encode());
        long now = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] b;
            if (r.nextBoolean()) {
                b = valid.get(r.nextInt(valid.size())).clone();
                for (int k = 0; k < 1 + r.nextInt(4); k++) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt();
                }
                if (r.nextInt(4) == 0) {
                    b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 8));
                }
            } else {
                b = new byte[r.nextInt(64)];
                r.nextBytes(b);
            }
            now += 100_000;
            e.receiveDatagram(r.nextInt(4), b, now);
            e.takeOutputs();
        }
        assertThat(e.droppedDatagrams()).isPositive();
    }
}

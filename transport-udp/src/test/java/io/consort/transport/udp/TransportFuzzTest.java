package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.consort.daemon.DaemonNetwork;
import io.consort.daemon.DaemonOptions;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fuzz targets for what consortd reads from the network and from its files: the UDP transport's
 * header and bundle parsing (through the real channel pipeline of a started transport), the
 * seal's open, the YAML configuration, spread.conf and the cluster key file. The invariant: bad
 * input is dropped and counted (packets) or is the reader's own typed error (files), nothing else
 * escapes, and nothing decoded is larger than the bytes that held it.
 */
class TransportFuzzTest {
    /** A started plain transport for daemon 1 of two, whose receiver records what it is handed. */
    private static final class Plain {
        static final List<byte[]> got = new ArrayList<>();
        static final InetSocketAddress peer;
        static final UdpDaemonNetwork net;

        static {
            try {
                Map<Integer, InetSocketAddress> addresses = UdpDaemonNetworkTest.freeAddresses(2);
                peer = addresses.get(2);
                net = UdpDaemonNetwork.create(UdpOptions.of(1, addresses).withPreferNative(false));
                net.start(new DaemonNetwork.Receiver() {
                    @Override
                    public void datagram(int from, byte[] d) {
                        got.add(d);
                    }
                });
            } catch (Exception e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private static final PacketSealer SEALER = PacketSealer.withFirstCounter(1,
            ClusterKeys.of(1, PacketSealerTest.key(1)), 1);
    private static final PacketSealer PEER = PacketSealer.withFirstCounter(2,
            ClusterKeys.of(1, PacketSealerTest.key(1)), 1);

    /** {@code data} with, if its first byte is odd, a valid transport header (version 1 or 2, from daemon 2) before the rest. */
    private static byte[] maybeHeader(byte[] data) {
        if (data.length == 0 || (data[0] & 1) == 0) {
            return data;
        }
        byte[] p = new byte[UdpDaemonNetwork.HEADER_BYTES + data.length - 1];
        p[0] = 0x43;
        p[1] = 0x44;
        p[2] = (byte) (1 + ((data[0] >> 1) & 1));
        p[3] = 0;
        p[4] = 2;
        System.arraycopy(data, 1, p, UdpDaemonNetwork.HEADER_BYTES, data.length - 1);
        return p;
    }

    @FuzzTest(maxDuration = "45s")
    void transportPacket(byte[] data) throws Exception {
        byte[] packet = maybeHeader(data);
        Channel ch = Plain.net.channel();
        long dropped = Plain.net.droppedDatagrams();
        long received = Plain.net.receivedDatagrams();
        ch.eventLoop().submit(() -> {
            Plain.got.clear();
            ch.pipeline().fireChannelRead(new DatagramPacket(Unpooled.wrappedBuffer(packet),
                    (InetSocketAddress) ch.localAddress(), Plain.peer));
        }).get();
        long handed = Plain.net.receivedDatagrams() - received;
        assertThat(Plain.net.droppedDatagrams() - dropped + (handed > 0 ? 1 : 0))
                .as("each packet is dropped (counted) or handed on, nothing in between").isEqualTo(1);
        assertThat((long) Plain.got.size()).isEqualTo(handed);
        long bytes = Plain.got.stream().mapToLong(d -> d.length).sum();
        assertThat(bytes).isLessThanOrEqualTo(packet.length);
    }

    @FuzzTest(maxDuration = "45s")
    void sealerOpen(byte[] data) {
        byte[] packet = data;
        if (data.length > 0 && (data[0] & 1) == 1) {
            // a genuine sealed packet of the rest, bits of it then flipped by the input's second byte
            byte[] sealed = PEER.seal(maybeHeader(new byte[] {1, 0, 0}));
            packet = java.util.Arrays.copyOf(sealed, sealed.length);
            for (int i = 1; i < data.length && i < 8; i++) {
                packet[(data[i] & 0xff) % packet.length] ^= data.length > 8 ? data[8] : 1;
            }
        }
        long drops = SEALER.droppedTotal();
        long opened = SEALER.openedPackets();
        byte[] plain = SEALER.open(packet);
        if (plain == null) {
            assertThat(SEALER.droppedTotal() - drops).isLessThanOrEqualTo(1);
        } else {
            assertThat(SEALER.openedPackets() - opened).isEqualTo(1);
            assertThat(plain.length).isLessThan(packet.length);
            assertThat(SEALER.seal(plain)).isNotNull();
        }
    }

    @FuzzTest(maxDuration = "45s")
    void configFile(byte[] data) throws Exception {
        Path f = Files.createTempFile("fuzz", ".yaml");
        try {
            Files.write(f, data);
            DaemonConfigFile.parse(f, DaemonOptions.defaults());
        } catch (DaemonConfigFile.ConfigException e) {
            assertThat(e.getMessage()).startsWith(f.toString());
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @FuzzTest(maxDuration = "45s")
    void spreadConf(byte[] data) throws Exception {
        Path f = Files.createTempFile("fuzz", ".conf");
        try {
            Files.write(f, data);
            SpreadConf.parse(f, DaemonOptions.defaults(), w -> { });
        } catch (DaemonConfigFile.ConfigException e) {
            assertThat(e.getMessage()).startsWith(f.toString());
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @FuzzTest(maxDuration = "45s")
    void keyFile(byte[] data) {
        try {
            ClusterKeys k = ClusterKeys.parse(new String(data, StandardCharsets.US_ASCII), "keys");
            assertThat(k.keyIds()).contains(k.sendKeyId()).hasSizeBetween(1, ClusterKeys.MAX_KEYS);
        } catch (DaemonConfigFile.ConfigException e) {
            assertThat(e.getMessage()).startsWith("keys");
        }
    }
}

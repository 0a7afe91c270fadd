package io.consort.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.daemon.DaemonNetwork;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The transport's packing on real loopback sockets, without engines: a flush of broadcasts and
 * sends reaches every peer whole and in queue order, whether the packet was packed for that peer
 * or shared with another peer whose datagrams were the same.
 */
class UdpPackingTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private final List<UdpDaemonNetwork> networks = new ArrayList<>();

    @AfterEach
    void stop() {
        networks.forEach(UdpDaemonNetwork::close);
    }

    /** What one daemon received, per sender, in arrival order. */
    private static final class Collected implements DaemonNetwork.Receiver {
        final List<byte[]> got = new ArrayList<>();

        @Override
        public synchronized void datagram(int fromDaemon, byte[] datagram) {
            got.add(datagram);
        }

        synchronized List<byte[]> snapshot() {
            return new ArrayList<>(got);
        }
    }

    private static byte[] numbered(int i, int size) {
        byte[] d = new byte[size];
        ByteBuffer.wrap(d).putInt(i);
        d[size - 1] = (byte) (i * 31);
        return d;
    }

    @Test
    void broadcastsAndASendInOneFlushArriveWholeAndInOrderAtEveryPeer() throws Exception {
        Map<Integer, InetSocketAddress> addresses = UdpDaemonNetworkTest.freeAddresses(3);
        List<Collected> receivers = new ArrayList<>();
        for (int id : addresses.keySet()) {
            UdpDaemonNetwork net = UdpDaemonNetwork.create(UdpOptions.of(id, addresses), 16 * 1024);
            Collected c = new Collected();
            net.start(c);
            networks.add(net);
            receivers.add(c);
        }
        UdpDaemonNetwork sender = networks.get(0);
        int rounds = 20;
        int perRound = 40; // 40 x 1000 bytes: three packets of 16 KiB per peer per flush
        int sent = 0;
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < perRound; k++) {
                sender.broadcast(numbered(sent++, 1000));
            }
            sender.send(2, numbered(-1 - r, 100)); // a token-like datagram to one peer only, after the broadcasts
            sender.flush();
            Thread.sleep(2); // paced: loopback's socket buffers hold every packet
        }
        int total = sent;
        await().atMost(TIMEOUT).until(() -> receivers.get(1).snapshot().size() == total + rounds
                && receivers.get(2).snapshot().size() == total);
        for (int peer = 1; peer <= 2; peer++) {
            int expect = 0;
            int tokens = 0;
            for (byte[] d : receivers.get(peer).snapshot()) {
                int n = ByteBuffer.wrap(d).getInt();
                if (n < 0) {
                    assertThat(peer).isEqualTo(1);
                    assertThat(n).isEqualTo(-1 - tokens);
                    assertThat(expect).as("the send follows its round's broadcasts").isEqualTo(perRound * (tokens + 1));
                    tokens++;
                    continue;
                }
                assertThat(n).isEqualTo(expect);
                assertThat(d).isEqualTo(numbered(n, 1000));
                expect++;
            }
        }
        assertThat(receivers.get(0).snapshot()).isEmpty();
        // Per flush: the 40 broadcasts pack into 3 packets shared by both peers, the send into 1 of its own.
        assertThat(sender.sentDatagrams()).isEqualTo(rounds * 7L);
        assertThat(sender.encodedPackets()).isEqualTo(rounds * 4L);
    }
}

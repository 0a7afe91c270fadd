package io.consort.transport.udp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An attacker on every daemon-to-daemon link, on loopback: daemon i sends to daemon j through a
 * relay socket that daemon j believes is daemon i's (so what the relay sends arrives with the
 * right source address, as an on-path attacker's packets would). Each genuine packet is forwarded
 * untouched; while {@link #attacking} is on, the relay also sends, by turns, a replay of an earlier
 * packet of the link, a tampered copy, a truncated copy, a forgery with a well-formed sealed header,
 * a packet sealed under another key, and a plain (unsealed) packet. Nothing is dropped: the ring
 * should see exactly the genuine traffic.
 */
final class ManInTheMiddle implements AutoCloseable {
    /** What the relay injected, by kind. */
    enum Attack { REPLAY, TAMPER, TRUNCATE, FORGE, WRONG_KEY, PLAIN }

    private final Map<Integer, InetSocketAddress> real;
    /** relays.get(i).get(j): the socket daemon i sends to for daemon j, and that j receives i's packets from. */
    private final Map<Integer, Map<Integer, DatagramSocket>> relays = new TreeMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean open = new AtomicBoolean(true);
    final AtomicBoolean attacking = new AtomicBoolean();
    private final Map<Attack, AtomicLong> injected = new ConcurrentHashMap<>();
    final AtomicLong forwarded = new AtomicLong();

    ManInTheMiddle(Map<Integer, InetSocketAddress> real) throws SocketException {
        this.real = new TreeMap<>(real);
        for (Attack a : Attack.values()) {
            injected.put(a, new AtomicLong());
        }
        for (int i : real.keySet()) {
            Map<Integer, DatagramSocket> row = new TreeMap<>();
            for (int j : real.keySet()) {
                if (i != j) {
                    row.put(j, new DatagramSocket(0, InetAddress.getLoopbackAddress()));
                }
            }
            relays.put(i, row);
        }
        for (int i : real.keySet()) {
            for (int j : real.keySet()) {
                if (i != j) {
                    Thread t = new Thread(() -> relay(i, j), "mitm-" + i + "-" + j);
                    t.setDaemon(true);
                    threads.add(t);
                    t.start();
                }
            }
        }
    }

    /** Daemon {@code id}'s idea of where every daemon is: itself for real, the others behind the relay. */
    Map<Integer, InetSocketAddress> viewOf(int id) {
        Map<Integer, InetSocketAddress> m = new TreeMap<>();
        for (int j : real.keySet()) {
            m.put(j, j == id ? real.get(id)
                    : new InetSocketAddress(InetAddress.getLoopbackAddress(), relays.get(id).get(j).getLocalPort()));
        }
        return m;
    }

    long injected(Attack a) {
        return injected.get(a).get();
    }

    private void relay(int from, int to) {
        DatagramSocket in = relays.get(from).get(to);
        DatagramSocket out = relays.get(to).get(from);
        InetSocketAddress target = real.get(to);
        SplittableRandom rnd = new SplittableRandom(from * 31L + to);
        PacketSealer wrongKey = PacketSealer.forProcess(from, ClusterKeys.of(1, PacketSealerTest.key(666)));
        List<byte[]> history = new ArrayList<>();
        byte[] buf = new byte[UdpOptions.MAX_UDP_PAYLOAD];
        long n = 0;
        while (open.get()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                in.receive(p);
                byte[] genuine = java.util.Arrays.copyOf(p.getData(), p.getLength());
                out.send(new DatagramPacket(genuine, genuine.length, target));
                forwarded.incrementAndGet();
                if (history.size() < 4096) {
                    history.add(genuine);
                } else {
                    history.set(rnd.nextInt(history.size()), genuine);
                }
                if (attacking.get() && genuine.length > PacketSealer.SEALED_HEADER_BYTES + PacketSealer.TAG_BYTES) {
                    Attack a = Attack.values()[(int) (n++ % Attack.values().length)];
                    byte[] evil = switch (a) {
                        case REPLAY -> history.get(rnd.nextInt(history.size()));
                        case TAMPER -> {
                            byte[] t = genuine.clone();
                            t[PacketSealer.SEALED_HEADER_BYTES + rnd.nextInt(t.length - PacketSealer.SEALED_HEADER_BYTES)]
                                    ^= (byte) (1 << rnd.nextInt(8));
                            yield t;
                        }
                        case TRUNCATE -> java.util.Arrays.copyOf(genuine, rnd.nextInt(1, genuine.length)); // (an empty datagram is not read at all)
                        case FORGE -> {
                            byte[] f = genuine.clone();
                            for (int k = PacketSealer.SEALED_HEADER_BYTES; k < f.length; k++) {
                                f[k] = (byte) rnd.nextInt();
                            }
                            // a counter far ahead: were it accepted, it would shut the genuine sender out
                            java.nio.ByteBuffer.wrap(f).putLong(7, Long.MAX_VALUE / 2 + rnd.nextInt(1000));
                            yield f;
                        }
                        case WRONG_KEY -> wrongKey.seal(plainOf(from, genuine.length));
                        case PLAIN -> plainOf(from, genuine.length);
                    };
                    out.send(new DatagramPacket(evil, evil.length, target));
                    injected.get(a).incrementAndGet();
                }
            } catch (IOException e) {
                if (!open.get()) {
                    return;
                }
            }
        }
    }

    /** A well-formed plain transport packet from {@code from} whose engine bytes are junk. */
    private static byte[] plainOf(int from, int length) {
        byte[] b = new byte[Math.max(UdpDaemonNetwork.HEADER_BYTES + 4, length)];
        new SplittableRandom(length).nextBytes(b);
        b[0] = 0x43;
        b[1] = 0x44;
        b[2] = 1;
        b[3] = (byte) (from >> 8);
        b[4] = (byte) from;
        return b;
    }

    @Override
    public void close() {
        open.set(false);
        relays.values().forEach(row -> row.values().forEach(DatagramSocket::close));
        for (Thread t : threads) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

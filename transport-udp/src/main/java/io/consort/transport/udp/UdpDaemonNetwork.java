package io.consort.transport.udp;

import io.consort.daemon.DaemonNetwork;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon-to-daemon transport over UDP (Netty; native epoll where available, NIO otherwise).
 * Every datagram carries a 5-byte transport header before the engine's bytes:
 *
 * <pre>
 * 0      1      2        3              5
 * +------+------+--------+--------------+------------------+
 * | 0x43 | 0x44 | ver 1  | sender id u16 | engine datagram  |
 * +------+------+--------+--------------+------------------+
 * </pre>
 *
 * Several engine datagrams for one destination produced in one engine batch (between two
 * {@link #flush()}es) travel together as one UDP datagram of up to {@link #maxPacketBytes()}
 * (the network's MTU less the IP and UDP headers), in the order the engine produced them, with
 * version 2 of the header:
 *
 * <pre>
 * | 0x43 | 0x44 | ver 2 | sender id u16 | (length u16 | engine datagram)... |
 * </pre>
 *
 * A lone datagram keeps version 1. Packing costs nothing in ordering (the receiver hands the
 * datagrams to the engine in order), and saves a syscall, a Netty task and an engine-queue
 * hand-off per message: the token holder's whole visit (messages, then the token) leaves as one
 * or a few packets. The inbound adapter accepts a datagram only if the header is intact, the sender id is a
 * configured daemon other than this one, and it came from that daemon's configured address and
 * port (each daemon sends from the socket it listens on). Everything else is counted and dropped;
 * nothing a datagram holds can throw out of the adapter. Outbound, datagrams are dropped (as the
 * network would) while more than {@link UdpOptions#sendQueueBytesMax()} bytes wait to be written.
 */
public final class UdpDaemonNetwork implements DaemonNetwork {
    private static final Logger log = LoggerFactory.getLogger(UdpDaemonNetwork.class);

    /** Bytes of the transport header. */
    public static final int HEADER_BYTES = 5;
    private static final byte MAGIC_0 = 0x43;
    private static final byte MAGIC_1 = 0x44;
    private static final byte VERSION = 1;
    private static final byte VERSION_BUNDLE = 2;
    /** Packets of up to this many bytes when nothing says more: an Ethernet MTU less the IP and UDP headers. */
    public static final int DEFAULT_MAX_PACKET_BYTES = 1500 - 28;

    private final UdpOptions options;
    /**
     * Every daemon's address, this one's included: {@link UdpOptions#daemons()} until
     * {@link #updateDaemons} replaces the others (discovery); read by the engine and the inbound adapter.
     */
    private volatile Map<Integer, InetSocketAddress> daemons;
    /** Closed with this transport: the discovery that feeds {@link #updateDaemons}. */
    private final List<AutoCloseable> closeWith = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The group the channel runs on: the daemon's own loop when it is given one, else a thread of our own. */
    private @Nullable EventLoopGroup group;
    private boolean ownsGroup;
    private boolean nativeTransport;
    private final AtomicLong dropped = new AtomicLong();
    /** Fault injection (admin.allowFaultInjection): daemons whose datagrams are dropped both ways. */
    private volatile java.util.Set<Integer> isolated = java.util.Set.of();
    private final AtomicLong isolatedDrops = new AtomicLong();
    private final AtomicLong sendDropped = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private @Nullable Channel channel;
    private @Nullable Channel multicastChannel;
    private volatile DaemonNetwork.@Nullable Receiver receiver;
    private final int maxPacketBytes;
    /** Engine datagrams waiting for {@link #flush()}, per destination in first-use order; engine thread only. */
    private final Map<InetSocketAddress, Outbox> pending = new java.util.LinkedHashMap<>();
    /** The current segment (see {@link Outbox}); a unicast gets a segment of its own. Engine thread only. */
    private int segment;
    /** Packets encoded (as opposed to shared with another peer), for tests. */
    private final AtomicLong encodedPackets = new AtomicLong();

    /** Seals and opens every packet when the network has a cluster key (see {@link PacketSealer}); else null. */
    private final @Nullable PacketSealer sealer;

    private UdpDaemonNetwork(UdpOptions options, int maxPacketBytes, @Nullable PacketSealer sealer) {
        this.options = options;
        this.daemons = options.daemons();
        this.sealer = sealer;
        this.maxPacketBytes = Math.max(HEADER_BYTES + 2, Math.min(UdpOptions.MAX_UDP_PAYLOAD, maxPacketBytes));
        this.nativeTransport = options.preferNative() && Epoll.isAvailable();
    }

    /** A transport for {@code options}; it binds when the daemon starts it. */
    public static UdpDaemonNetwork create(UdpOptions options) {
        return create(options, DEFAULT_MAX_PACKET_BYTES);
    }

    /**
     * A transport for {@code options} whose packets hold up to {@code maxPacketBytes} of UDP
     * payload (the MTU less 28 bytes of IP and UDP headers; at most {@link UdpOptions#MAX_UDP_PAYLOAD}).
     */
    public static UdpDaemonNetwork create(UdpOptions options, int maxPacketBytes) {
        return new UdpDaemonNetwork(Objects.requireNonNull(options, "options"), maxPacketBytes, null);
    }

    /**
     * A transport like {@link #create(UdpOptions, int)} whose packets are sealed by {@code sealer}
     * (null: plain); a sealed packet is {@link PacketSealer#OVERHEAD_BYTES} longer than
     * {@code maxPacketBytes}, which is lowered if that would pass the largest UDP payload.
     */
    public static UdpDaemonNetwork create(UdpOptions options, int maxPacketBytes, @Nullable PacketSealer sealer) {
        return new UdpDaemonNetwork(Objects.requireNonNull(options, "options"), sealer == null ? maxPacketBytes
                : Math.min(maxPacketBytes, UdpOptions.MAX_UDP_PAYLOAD - PacketSealer.OVERHEAD_BYTES), sealer);
    }

    /** The sealer of this transport, with its drop counters by reason; null if packets travel plain. */
    public @Nullable PacketSealer sealer() {
        return sealer;
    }

    /** The unicast channel once started: tests inject datagrams into its pipeline. */
    @Nullable Channel channel() {
        return channel;
    }

    /** The largest UDP payload this transport sends. */
    public int maxPacketBytes() {
        return maxPacketBytes;
    }

    /** Whether native epoll carries the datagrams (else NIO). */
    public boolean nativeTransport() {
        return nativeTransport;
    }

    @Override
    public Map<String, Long> dropsByReason() {
        Map<String, Long> m = new java.util.TreeMap<>();
        m.put("transport_malformed", dropped.get());
        m.put("send_failed", sendDropped.get());
        m.put("isolated", isolatedDrops.get());
        PacketSealer s = sealer;
        if (s != null) {
            for (PacketSealer.Drop d : PacketSealer.Drop.values()) {
                m.put("sealed_" + d.name().toLowerCase(java.util.Locale.ROOT), s.dropped(d));
            }
        }
        return m;
    }

    /** With multicast, only what arrives from {@code daemons} is dropped: one multicast reaches all or none. */
    @Override
    public boolean isolate(java.util.Set<Integer> daemons) {
        isolated = java.util.Set.copyOf(daemons);
        return true;
    }

    /** Datagrams received and dropped as bad (header, unknown or spoofed sender). */
    public long droppedDatagrams() {
        return dropped.get();
    }

    /** Datagrams not sent because the send queue was over its bound. */
    public long sendDroppedDatagrams() {
        return sendDropped.get();
    }

    /** Datagrams received and handed to the engine. */
    public long receivedDatagrams() {
        return received.get();
    }

    /** Datagrams written. */
    public long sentDatagrams() {
        return sent.get();
    }

    /** Starts on a thread of its own (a transport used without a daemon loop, as in tests). */
    @Override
    public void start(DaemonNetwork.Receiver receiver) {
        IoHandlerFactory io = nativeTransport ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup own = new MultiThreadIoEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "consort-udp-" + options.selfId());
            t.setDaemon(true);
            return t;
        }, io);
        ownsGroup = true;
        startOn(receiver, own);
    }

    /**
     * Starts on the daemon's loop: the channel is registered on {@code daemonLoop}, so received datagrams
     * reach the engine and the engine's packets reach the socket on that one thread. A transport whose
     * channel kind (native epoll per {@link UdpOptions#preferNative()}, else NIO) the loop cannot carry
     * runs on a thread of its own instead.
     */
    @Override
    public void start(DaemonNetwork.Receiver receiver, EventLoopGroup daemonLoop) {
        Objects.requireNonNull(daemonLoop, "daemonLoop");
        boolean epollLoop = daemonLoop instanceof IoEventLoopGroup g && g.isIoType(EpollIoHandler.class);
        boolean nioLoop = daemonLoop instanceof IoEventLoopGroup g && g.isIoType(NioIoHandler.class);
        if (nativeTransport ? !epollLoop : !nioLoop) {
            // The daemon's loop cannot carry the channel type asked for (NIO asked of an epoll loop):
            // a thread of its own, at the price of a hand-off per datagram.
            start(receiver);
            return;
        }
        startOn(receiver, daemonLoop);
    }

    private void startOn(DaemonNetwork.Receiver receiver, EventLoopGroup loop) {
        this.receiver = Objects.requireNonNull(receiver, "receiver");
        this.group = loop;
        try {
            InetSocketAddress self = options.self();
            channel = bootstrap(self.getAddress().isAnyLocalAddress() ? null : self.getAddress())
                    .bind(self).syncUninterruptibly().channel();
            InetSocketAddress mcast = options.multicastGroup();
            if (mcast != null) {
                NetworkInterface nif = multicastInterface(self.getAddress());
                Bootstrap b = bootstrap(null).option(ChannelOption.SO_REUSEADDR, true)
                        .option(ChannelOption.IP_MULTICAST_IF, nif)
                        .option(ChannelOption.IP_MULTICAST_LOOP_DISABLED, false);
                if (nativeTransport) {
                    b.option(io.netty.channel.unix.UnixChannelOption.SO_REUSEPORT, true);
                }
                Channel m = b.bind(new InetSocketAddress(mcast.getPort())).syncUninterruptibly().channel();
                ((DatagramChannel) m).joinGroup(mcast, nif).syncUninterruptibly();
                multicastChannel = m;
                // Sends to the group leave from the unicast socket, so their source is this daemon's address.
                channel.config().setOption(ChannelOption.IP_MULTICAST_IF, nif);
            }
        } catch (RuntimeException | SocketException e) {
            close();
            throw new IllegalStateException("cannot open the daemon network socket at " + options.self() + ": " + e, e);
        }
        log.info("daemon {} listens for daemons on {} ({}){}", options.selfId(), options.self(),
                nativeTransport ? "epoll" : "nio",
                options.multicastGroup() == null ? "" : ", multicast " + options.multicastGroup());
    }

    private NetworkInterface multicastInterface(InetAddress self) throws SocketException {
        String name = options.multicastInterface();
        NetworkInterface nif = name != null ? NetworkInterface.getByName(name) : NetworkInterface.getByInetAddress(self);
        if (nif == null) {
            throw new SocketException("no network interface " + (name != null ? name : "for " + self));
        }
        return nif;
    }

    private Bootstrap bootstrap(@Nullable InetAddress unused) {
        ChannelFactory<? extends Channel> factory = nativeTransport
                ? () -> new EpollDatagramChannel(InternetProtocolFamily.IPv4)
                : () -> new NioDatagramChannel(InternetProtocolFamily.IPv4);
        return new Bootstrap().group(Objects.requireNonNull(group, "group")).channelFactory(factory)
                .option(ChannelOption.SO_RCVBUF, options.receiveBufferBytes())
                .option(ChannelOption.SO_SNDBUF, options.sendBufferBytes())
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(UdpOptions.MAX_UDP_PAYLOAD + 64))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(options.sendQueueBytesMax() / 2, options.sendQueueBytesMax()))
                .handler(sealer == null ? new InboundAdapter() : new io.netty.channel.ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new SealingHandler(sealer), new InboundAdapter());
                    }
                });
    }

    /**
     * Replaces the other daemons' addresses with {@code others} (this daemon's own entry, if there, is
     * ignored: it keeps the address it is bound to). Datagrams from a daemon no longer listed are dropped
     * from now on, as from any unknown sender; the ring notices the silence as it would a crash.
     */
    public void updateDaemons(Map<Integer, InetSocketAddress> others) {
        Map<Integer, InetSocketAddress> next = new java.util.TreeMap<>(others);
        next.put(options.selfId(), options.self());
        daemons = java.util.Collections.unmodifiableMap(next);
    }

    /** The daemons this transport sends to and accepts datagrams from, this one included. */
    public Map<Integer, InetSocketAddress> daemons() {
        return daemons;
    }

    /** Closes {@code resource} (a discovery feeding {@link #updateDaemons}) when this transport closes. */
    public void closeWith(AutoCloseable resource) {
        closeWith.add(Objects.requireNonNull(resource, "resource"));
    }

    @Override
    public void send(int toDaemon, byte[] datagram) {
        InetSocketAddress to = daemons.get(toDaemon);
        if (to != null && toDaemon != options.selfId() && !isolated.contains(toDaemon)) {
            segment++;
            queue(to, datagram);
            segment++;
        }
    }

    @Override
    public void broadcast(byte[] datagram) {
        InetSocketAddress mcast = options.multicastGroup();
        if (mcast != null) {
            queue(mcast, datagram);
            return;
        }
        for (Map.Entry<Integer, InetSocketAddress> e : daemons.entrySet()) {
            if (e.getKey() != options.selfId() && !isolated.contains(e.getKey())) {
                queue(e.getValue(), datagram);
            }
        }
    }

    private void queue(InetSocketAddress to, byte[] datagram) {
        pending.computeIfAbsent(to, k -> new Outbox()).add(datagram, segment);
    }

    /** Packets encoded so far; the rest of {@link #sentDatagrams()} were shared between peers. */
    long encodedPackets() {
        return encodedPackets.get();
    }

    private void header(ByteBuf b, byte version) {
        b.writeByte(MAGIC_0).writeByte(MAGIC_1).writeByte(version).writeShort(options.selfId());
    }

    /**
     * Packs the queued datagrams of each destination into as few packets as fit, in order.
     *
     * <p>Packets are pooled direct buffers: the datagram channel would otherwise copy a heap buffer into
     * a direct one before {@code sendmmsg}, a second copy of every byte (the profile put a fifth of the
     * sending daemon's samples in this packing). And when a broadcast puts the same datagrams in every
     * peer's list, the packet built for the first peer is shared ({@code retainedDuplicate}) by the
     * others instead of being packed again.
     */
    private void pack(ByteBufAllocator alloc, InetSocketAddress to, Outbox items, List<Built> built,
            List<DatagramPacket> out) {
        int i = 0;
        while (i < items.size()) {
            int size = HEADER_BYTES + 2 + items.get(i).length;
            int j = i + 1;
            while (j < items.size() && items.segment(j) == items.segment(i)
                    && size + 2 + items.get(j).length <= maxPacketBytes) {
                size += 2 + items.get(j).length;
                j++;
            }
            List<byte[]> run = items.run(i, j);
            ByteBuf b = null;
            for (Built p : built) {
                if (p.sameItems(run)) {
                    b = p.packet.retainedDuplicate();
                    break;
                }
            }
            if (b == null) {
                encodedPackets.incrementAndGet();
                b = encode(alloc, run, size);
                built.add(new Built(List.copyOf(run), b));
            }
            out.add(new DatagramPacket(b, to));
            i = j;
        }
    }

    private ByteBuf encode(ByteBufAllocator alloc, List<byte[]> run, int bundleSize) {
        if (run.size() == 1) {
            byte[] d = run.get(0);
            ByteBuf b = alloc.directBuffer(HEADER_BYTES + d.length);
            header(b, VERSION);
            return b.writeBytes(d);
        }
        ByteBuf b = alloc.directBuffer(bundleSize);
        header(b, VERSION_BUNDLE);
        for (byte[] d : run) {
            b.writeShort(d.length).writeBytes(d);
        }
        return b;
    }

    /** A packet built in this flush and the datagrams it holds (compared by identity: the same arrays). */
    private record Built(List<byte[]> items, ByteBuf packet) {
        boolean sameItems(List<byte[]> run) {
            if (run.size() != items.size()) {
                return false;
            }
            for (int k = 0; k < run.size(); k++) {
                if (run.get(k) != items.get(k)) {
                    return false;
                }
            }
            return true;
        }
    }

    @Override
    public void flush() {
        if (pending.isEmpty()) {
            return;
        }
        Channel c = channel;
        ByteBufAllocator alloc = c != null ? c.alloc() : ByteBufAllocator.DEFAULT;
        List<DatagramPacket> out = new java.util.ArrayList<>();
        List<Built> built = new java.util.ArrayList<>();
        for (Map.Entry<InetSocketAddress, Outbox> e : pending.entrySet()) {
            if (!e.getValue().isEmpty()) {
                pack(alloc, e.getKey(), e.getValue(), built, out);
                e.getValue().clear();
            }
        }
        segment = 0;
        if (c == null || !c.isActive() || out.isEmpty()) {
            out.forEach(DatagramPacket::release);
            return;
        }
        // One task on the event loop for the whole batch, instead of one per write.
        if (c.eventLoop().inEventLoop()) {
            writeAll(c, out);
        } else {
            c.eventLoop().execute(() -> writeAll(c, out));
        }
    }

    private void writeAll(Channel c, List<DatagramPacket> out) {
        for (DatagramPacket p : out) {
            if (!c.isActive()) {
                p.release();
            } else if (!c.isWritable()) {
                sendDropped.incrementAndGet();
                p.release();
            } else {
                sent.incrementAndGet();
                c.write(p, c.voidPromise());
            }
        }
        c.flush();
    }

    @Override
    public void close() {
        for (AutoCloseable c : closeWith) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("closing {}: {}", c, e.toString());
            }
        }
        receiver = null;
        Channel c = channel;
        if (c != null) {
            c.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        Channel m = multicastChannel;
        if (m != null) {
            m.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        EventLoopGroup g = group;
        if (g != null && ownsGroup) {
            g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Decodes the transport header, checks the sender, and hands the engine's bytes on. */
    private final class InboundAdapter extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf b = packet.content();
            int n = b.readableBytes();
            if (n < HEADER_BYTES) {
                dropped.incrementAndGet();
                return;
            }
            int i = b.readerIndex();
            byte version = b.getByte(i + 2);
            if (b.getByte(i) != MAGIC_0 || b.getByte(i + 1) != MAGIC_1 || (version != VERSION && version != VERSION_BUNDLE)) {
                dropped.incrementAndGet();
                return;
            }
            int from = b.getUnsignedShort(i + 3);
            if (from == options.selfId()) {
                return; // our own multicast, looped back
            }
            InetSocketAddress expected = daemons.get(from);
            if (expected == null || !expected.equals(packet.sender())) {
                dropped.incrementAndGet();
                return;
            }
            if (isolated.contains(from)) {
                isolatedDrops.incrementAndGet();
                return;
            }
            DaemonNetwork.Receiver r = receiver;
            if (r == null) {
                return;
            }
            if (version == VERSION) {
                byte[] bytes = new byte[n - HEADER_BYTES];
                b.getBytes(i + HEADER_BYTES, bytes);
                received.incrementAndGet();
                r.datagram(from, bytes);
                return;
            }
            // A bundle: check every length first, so a malformed one is dropped whole.
            int end = i + n;
            int count = 0;
            for (int at = i + HEADER_BYTES; at < end; count++) {
                if (end - at < 2) {
                    dropped.incrementAndGet();
                    return;
                }
                int len = b.getUnsignedShort(at);
                at += 2 + len;
                if (at > end) {
                    dropped.incrementAndGet();
                    return;
                }
            }
            if (count == 0) {
                dropped.incrementAndGet(); // a bundle of nothing (found by TransportFuzzTest)
                return;
            }
            List<byte[]> datagrams = new java.util.ArrayList<>(count);
            for (int at = i + HEADER_BYTES; at < end;) {
                int len = b.getUnsignedShort(at);
                byte[] bytes = new byte[len];
                b.getBytes(at + 2, bytes);
                datagrams.add(bytes);
                at += 2 + len;
            }
            received.addAndGet(count);
            r.datagrams(from, datagrams);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable and the like: the ring treats it as loss.
            log.debug("daemon network: {}", cause.toString());
        }
    }
}

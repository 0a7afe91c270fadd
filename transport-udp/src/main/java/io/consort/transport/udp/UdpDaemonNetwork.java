package io.consort.transport.udp;

import io.consort.reactive.daemon.DaemonNetwork;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
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
 * The inbound adapter accepts a datagram only if the header is intact, the sender id is a
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

    private final UdpOptions options;
    private final EventLoopGroup group;
    private final boolean nativeTransport;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong sendDropped = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private @Nullable Channel channel;
    private @Nullable Channel multicastChannel;
    private volatile DaemonNetwork.@Nullable Receiver receiver;

    private UdpDaemonNetwork(UdpOptions options) {
        this.options = options;
        this.nativeTransport = options.preferNative() && Epoll.isAvailable();
        IoHandlerFactory io = nativeTransport ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "consort-udp-" + options.selfId());
            t.setDaemon(true);
            return t;
        }, io);
    }

    /** A transport for {@code options}; it binds when the daemon starts it. */
    public static UdpDaemonNetwork create(UdpOptions options) {
        return new UdpDaemonNetwork(Objects.requireNonNull(options, "options"));
    }

    /** Whether native epoll carries the datagrams (else NIO). */
    public boolean nativeTransport() {
        return nativeTransport;
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

    @Override
    public void start(DaemonNetwork.Receiver receiver) {
        this.receiver = Objects.requireNonNull(receiver, "receiver");
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
        return new Bootstrap().group(group).channelFactory(factory)
                .option(ChannelOption.SO_RCVBUF, options.receiveBufferBytes())
                .option(ChannelOption.SO_SNDBUF, options.sendBufferBytes())
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(UdpOptions.MAX_UDP_PAYLOAD + 64))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(options.sendQueueBytesMax() / 2, options.sendQueueBytesMax()))
                .handler(new InboundAdapter());
    }

    @Override
    public void send(int toDaemon, byte[] datagram) {
        InetSocketAddress to = options.daemons().get(toDaemon);
        if (to != null && toDaemon != options.selfId()) {
            write(framed(datagram), to);
        }
    }

    @Override
    public void broadcast(byte[] datagram) {
        byte[] framed = framed(datagram);
        InetSocketAddress mcast = options.multicastGroup();
        if (mcast != null) {
            write(framed, mcast);
            return;
        }
        for (Map.Entry<Integer, InetSocketAddress> e : options.daemons().entrySet()) {
            if (e.getKey() != options.selfId()) {
                write(framed, e.getValue());
            }
        }
    }

    private byte[] framed(byte[] datagram) {
        byte[] b = new byte[HEADER_BYTES + datagram.length];
        b[0] = MAGIC_0;
        b[1] = MAGIC_1;
        b[2] = VERSION;
        b[3] = (byte) (options.selfId() >>> 8);
        b[4] = (byte) options.selfId();
        System.arraycopy(datagram, 0, b, HEADER_BYTES, datagram.length);
        return b;
    }

    private void write(byte[] framed, InetSocketAddress to) {
        Channel c = channel;
        if (c == null || !c.isActive()) {
            return;
        }
        if (!c.isWritable()) {
            sendDropped.incrementAndGet();
            return;
        }
        sent.incrementAndGet();
        c.write(new DatagramPacket(Unpooled.wrappedBuffer(framed), to), c.voidPromise());
    }

    @Override
    public void flush() {
        Channel c = channel;
        if (c != null) {
            c.flush();
        }
    }

    @Override
    public void close() {
        receiver = null;
        Channel c = channel;
        if (c != null) {
            c.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        Channel m = multicastChannel;
        if (m != null) {
            m.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
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
            if (b.getByte(i) != MAGIC_0 || b.getByte(i + 1) != MAGIC_1 || b.getByte(i + 2) != VERSION) {
                dropped.incrementAndGet();
                return;
            }
            int from = b.getUnsignedShort(i + 3);
            if (from == options.selfId()) {
                return; // our own multicast, looped back
            }
            InetSocketAddress expected = options.daemons().get(from);
            if (expected == null || !expected.equals(packet.sender())) {
                dropped.incrementAndGet();
                return;
            }
            DaemonNetwork.Receiver r = receiver;
            if (r == null) {
                return;
            }
            byte[] bytes = new byte[n - HEADER_BYTES];
            b.getBytes(i + HEADER_BYTES, bytes);
            received.incrementAndGet();
            r.datagram(from, bytes);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable and the like: the ring treats it as loss.
            log.debug("daemon network: {}", cause.toString());
        }
    }
}

package io.consort.transport.udp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server on loopback whose SRV and A records the test sets and changes while it runs
 * (Netty's DNS codec), the resolver a test controls for {@link DnsDiscovery}.
 */
final class TestDnsServer implements AutoCloseable {
    /** One SRV record: the target host and its port. */
    record Srv(String target, int port) {
    }

    private final Map<String, List<Srv>> srv = new ConcurrentHashMap<>();
    private final Map<String, InetAddress> a = new ConcurrentHashMap<>();
    private final AtomicInteger queries = new AtomicInteger();
    private volatile boolean failing;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;

    private TestDnsServer(InetAddress bind) {
        channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<NioDatagramChannel>() {
                    @Override
                    protected void initChannel(NioDatagramChannel ch) {
                        ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new Answer());
                    }
                }).bind(new InetSocketAddress(bind, 0)).syncUninterruptibly().channel();
    }

    static TestDnsServer start() {
        return new TestDnsServer(InetAddress.getLoopbackAddress());
    }

    InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** The SRV records of {@code name} from now on (an empty list: the name exists with none). */
    void srv(String name, List<Srv> records) {
        srv.put(key(name), List.copyOf(records));
    }

    /** The A record of {@code host} from now on. */
    void a(String host, InetAddress address) {
        a.put(key(host), address);
    }

    /** While true, every query is answered SERVFAIL. */
    void failing(boolean failing) {
        this.failing = failing;
    }

    int queries() {
        return queries.get();
    }

    private static String key(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    private final class Answer extends SimpleChannelInboundHandler<DatagramDnsQuery> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
            queries.incrementAndGet();
            DnsQuestion q = query.recordAt(DnsSection.QUESTION);
            DatagramDnsResponse r = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
            r.setRecursionDesired(query.isRecursionDesired()).setRecursionAvailable(true).setAuthoritativeAnswer(true);
            r.addRecord(DnsSection.QUESTION, q);
            String name = key(q.name());
            if (failing) {
                r.setCode(DnsResponseCode.SERVFAIL);
            } else if (q.type() == DnsRecordType.SRV && srv.containsKey(name)) {
                for (Srv s : srv.get(name)) {
                    ByteBuf b = Unpooled.buffer();
                    b.writeShort(0).writeShort(1).writeShort(s.port());
                    writeName(b, s.target());
                    r.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(q.name(), DnsRecordType.SRV, 5, b));
                }
            } else if (q.type() == DnsRecordType.A && a.containsKey(name)) {
                r.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(q.name(), DnsRecordType.A, 5,
                        Unpooled.wrappedBuffer(a.get(name).getAddress())));
            } else if (!srv.containsKey(name) && !a.containsKey(name)) {
                r.setCode(DnsResponseCode.NXDOMAIN);
            }
            ctx.writeAndFlush(r);
        }
    }

    private static void writeName(ByteBuf b, String name) {
        for (String label : key(name).split("\\.")) {
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            b.writeByte(bytes.length).writeBytes(bytes);
        }
        b.writeByte(0);
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}

package io.consort.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopAuthoritativeDnsServerCache;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the daemons of a network in DNS instead of a list in the configuration: the SRV records of
 * one name, such as those Kubernetes publishes for a headless service's named port
 * ({@code _daemon._udp.consort.default.svc.cluster.local}), one per pod, each naming the pod's own
 * host name ({@code consort-2.consort.default.svc.cluster.local}) and port. A record's target's first
 * label is the daemon's name and the number it ends with (a StatefulSet pod's ordinal) its id; the
 * target's A record its address. The name is resolved again every {@link Config#refresh()}, so daemons
 * that start later join the list, and daemons whose records went away leave it.
 *
 * <pre>{@code
 * DnsDiscovery.Config c = DnsDiscovery.Config.of("_daemon._udp.consort.default.svc.cluster.local")
 *         .withRefresh(Duration.ofSeconds(5));
 * try (DnsDiscovery d = DnsDiscovery.start(c, found -> System.out.println("daemons: " + found.values()))) {
 *     ...
 * }
 * }</pre>
 *
 * A name without a final dot goes through the system's search list, as in {@code /etc/resolv.conf}:
 * in a Kubernetes pod {@code _daemon._udp.consort} finds the service in the pod's own namespace.
 * A failed lookup (a timeout, a server failure, no such name yet) keeps the last list: a DNS outage
 * must not cut a running ring apart. Only IPv4 addresses are looked up, as the transport is IPv4.
 */
public final class DnsDiscovery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DnsDiscovery.class);

    /**
     * What to look up and how often.
     *
     * @param srvName    the name whose SRV records list the daemons
     * @param refresh    how often it is looked up again
     * @param nameServer the DNS server to ask, or null for the system's ({@code /etc/resolv.conf})
     */
    public record Config(String srvName, Duration refresh, @Nullable InetSocketAddress nameServer) {
        /** The shortest refresh: a ring's daemons do not come and go faster than this. */
        public static final Duration MIN_REFRESH = Duration.ofMillis(100);
        /** The default refresh. */
        public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(5);

        public Config {
            Objects.requireNonNull(srvName, "srvName");
            Objects.requireNonNull(refresh, "refresh");
            if (srvName.isBlank() || srvName.length() > 253 || srvName.contains(" ")) {
                throw new IllegalArgumentException("'" + srvName + "' is not a DNS name");
            }
            if (refresh.compareTo(MIN_REFRESH) < 0) {
                throw new IllegalArgumentException("refresh must be at least " + MIN_REFRESH.toMillis() + " ms, was "
                        + refresh.toMillis() + " ms");
            }
        }

        /** Looks up {@code srvName} every {@link #DEFAULT_REFRESH} at the system's DNS servers. */
        public static Config of(String srvName) {
            return new Config(srvName, DEFAULT_REFRESH, null);
        }

        public Config withRefresh(Duration refresh) {
            return new Config(srvName, refresh, nameServer);
        }

        public Config withNameServer(@Nullable InetSocketAddress nameServer) {
            return new Config(srvName, refresh, nameServer);
        }
    }

    /** A daemon DNS lists: its name and id (from the record's target) and its daemon-to-daemon address. */
    public record Found(String name, int id, InetSocketAddress address) {
        @Override
        public String toString() {
            return name + " (id " + id + ") at " + address.getAddress().getHostAddress() + ":" + address.getPort();
        }
    }

    private final Config config;
    private final Consumer<Map<Integer, Found>> onChange;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final DnsNameResolver resolver;
    /** The last list published; the loop's thread writes it. */
    private volatile Map<Integer, Found> current = Map.of();
    private volatile boolean closed;
    /** A lookup is under way (loop thread only): a slow server must not pile lookups up. */
    private boolean inFlight;
    private final AtomicInteger lookups = new AtomicInteger();
    private @Nullable String lastProblem;

    private DnsDiscovery(Config config, Consumer<Map<Integer, Found>> onChange) {
        this.config = config;
        this.onChange = onChange;
        this.group = new MultiThreadIoEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "consort-dns-discovery");
            t.setDaemon(true);
            return t;
        }, NioIoHandler.newFactory());
        this.loop = group.next();
        InetSocketAddress server = config.nameServer();
        // No caches: each refresh must see the records as they are now, whatever their TTL says.
        this.resolver = new DnsNameResolverBuilder(loop)
                .datagramChannelType(NioDatagramChannel.class)
                .nameServerProvider(server != null ? new SingletonDnsServerAddressStreamProvider(server)
                        : DnsServerAddressStreamProviders.platformDefault())
                .resolveCache(NoopDnsCache.INSTANCE)
                .cnameCache(NoopDnsCnameCache.INSTANCE)
                .authoritativeDnsServerCache(NoopAuthoritativeDnsServerCache.INSTANCE)
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_ONLY)
                .queryTimeoutMillis(Math.max(500, Math.min(5_000, config.refresh().toMillis())))
                .build();
    }

    /**
     * Starts looking up {@code config}'s name now and then every refresh; {@code onChange} gets the whole
     * list, by id, each time it differs from the one before (on the discovery's own thread).
     */
    public static DnsDiscovery start(Config config, Consumer<Map<Integer, Found>> onChange) {
        DnsDiscovery d = new DnsDiscovery(Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(onChange, "onChange"));
        d.loop.scheduleWithFixedDelay(d::refresh, 0, config.refresh().toMillis(), TimeUnit.MILLISECONDS);
        return d;
    }

    /** The daemons found by the last successful lookup, by id. */
    public Map<Integer, Found> current() {
        return current;
    }

    /** Lookups finished so far, failed ones included. */
    public int lookups() {
        return lookups.get();
    }

    /** The id in a daemon's name: the number it ends with ({@code consort-2} is 2), or -1 if none. */
    public static int idOf(String daemonName) {
        int i = daemonName.length();
        while (i > 0 && Character.isDigit(daemonName.charAt(i - 1))) {
            i--;
        }
        if (i == daemonName.length() || daemonName.length() - i > 4) {
            return -1;
        }
        int id = Integer.parseInt(daemonName.substring(i));
        return id <= io.consort.core.EngineConfig.MAX_DAEMON_ID ? id : -1;
    }

    private record Srv(String target, int port) {
    }

    private void refresh() {
        if (closed || inFlight) {
            return;
        }
        inFlight = true;
        resolver.resolveAll(new DefaultDnsQuestion(config.srvName(), DnsRecordType.SRV)).addListener(
                (Future<List<DnsRecord>> f) -> {
                    if (!f.isSuccess()) {
                        finish(null, "cannot look up " + config.srvName() + ": " + f.cause().getMessage());
                        return;
                    }
                    List<Srv> srvs = new ArrayList<>();
                    for (DnsRecord r : f.getNow()) {
                        try {
                            Srv s = r.type() == DnsRecordType.SRV && r instanceof DnsRawRecord raw ? srv(raw) : null;
                            if (s != null) {
                                srvs.add(s);
                            }
                        } finally {
                            ReferenceCountUtil.release(r);
                        }
                    }
                    addresses(srvs);
                });
    }

    /** Priority, weight, port, then the target's name (RFC 2782); null if the record is malformed. */
    private static @Nullable Srv srv(DnsRawRecord raw) {
        ByteBuf b = raw.content().duplicate();
        if (b.readableBytes() < 7) {
            return null;
        }
        b.skipBytes(4);
        int port = b.readUnsignedShort();
        try {
            String target = DefaultDnsRecordDecoder.decodeName(b);
            return port == 0 || target.isEmpty() || target.equals(".") ? null : new Srv(target, port);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Looks up every target's address, then publishes the list (in the targets' order, for a stable outcome). */
    private void addresses(List<Srv> srvs) {
        if (srvs.isEmpty()) {
            finish(new TreeMap<>(), null);
            return;
        }
        List<Srv> sorted = srvs.stream().sorted(java.util.Comparator.comparing(Srv::target)).toList();
        List<Future<InetAddress>> lookups = new ArrayList<>();
        AtomicInteger left = new AtomicInteger(sorted.size());
        for (Srv s : sorted) {
            Future<InetAddress> f = resolver.resolve(s.target());
            lookups.add(f);
            f.addListener(done -> {
                if (left.decrementAndGet() == 0) {
                    collect(sorted, lookups);
                }
            });
        }
    }

    private void collect(List<Srv> srvs, List<Future<InetAddress>> lookups) {
        Map<Integer, Found> found = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < srvs.size(); i++) {
            Srv s = srvs.get(i);
            Future<InetAddress> f = lookups.get(i);
            String name = firstLabel(s.target());
            int id = idOf(name);
            if (id < 0 || !validName(name)) {
                problems.add(s.target() + " does not name a daemon: its first label must be a daemon name"
                        + " ending in its id (0 to " + io.consort.core.EngineConfig.MAX_DAEMON_ID + "), such as consort-2");
                continue;
            }
            Found mine;
            if (f.isSuccess()) {
                mine = new Found(name, id, new InetSocketAddress(f.getNow(), s.port()));
            } else {
                problems.add("no address for " + s.target() + ": " + f.cause().getMessage());
                // Keep what it had: one failed address lookup is no reason to drop a daemon.
                Found before = current.get(id);
                if (before == null || !before.name().equals(name)) {
                    continue;
                }
                mine = before;
            }
            Found other = found.putIfAbsent(id, mine);
            if (other != null && !other.name().equals(name)) {
                problems.add("id " + id + " is claimed by both " + other.name() + " and " + name + "; "
                        + other.name() + " keeps it");
            }
        }
        finish(found, problems.isEmpty() ? null : String.join("; ", problems));
    }

    private void finish(@Nullable Map<Integer, Found> found, @Nullable String problem) {
        inFlight = false;
        lookups.incrementAndGet();
        if (problem != null && !problem.equals(lastProblem)) {
            log.warn("daemon discovery: {}", problem);
        }
        lastProblem = problem;
        if (found == null || closed || found.equals(current)) {
            return;
        }
        Map<Integer, Found> next = java.util.Collections.unmodifiableMap(new TreeMap<>(found));
        current = next;
        log.info("daemons in DNS ({}): {}", config.srvName(), next.values());
        try {
            onChange.accept(next);
        } catch (RuntimeException e) {
            log.warn("daemon discovery: the daemon list was not taken: {}", e.toString());
        }
    }

    private static boolean validName(String name) {
        try {
            io.consort.core.Names.checkUser(name, 32);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String firstLabel(String name) {
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    @Override
    public void close() {
        closed = true;
        resolver.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "DnsDiscovery[" + config.srvName() + "]";
    }
}

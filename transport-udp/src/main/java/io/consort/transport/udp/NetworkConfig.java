package io.consort.transport.udp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The daemon network a configuration file lists: every daemon's name, id and daemon-to-daemon
 * address, the MTU, and optionally a multicast group.
 *
 * @param daemons        the daemons, in the order the file lists them
 * @param mtu            the network's MTU in bytes; datagrams are sized to it
 * @param multicastGroup a multicast group for broadcasts, or null for unicast only
 * @param multicastInterface the interface for multicast, or null for the daemon's own address's
 * @param source         the file, for messages
 * @param clusterKey     the cluster key file that seals daemon traffic ({@link ClusterKeys}), or null for plain
 * @param discovery      where the daemons are found in DNS instead of {@code daemons} (then empty), or null
 */
public record NetworkConfig(List<Daemon> daemons, int mtu, @Nullable InetSocketAddress multicastGroup,
        @Nullable String multicastInterface, String source, java.nio.file.@Nullable Path clusterKey,
        @Nullable Discovery discovery) {
    /** IPv4 and UDP headers. */
    public static final int IP_UDP_HEADER_BYTES = 28;
    /** The default MTU: Ethernet's. */
    public static final int DEFAULT_MTU = 1500;

    /** One daemon of the network; {@code line} is where the file lists it (0 if unknown). */
    public record Daemon(String name, int id, String host, int port, int line) {
    }

    /**
     * The daemons are those DNS lists ({@link DnsDiscovery}); this daemon listens for them on
     * {@code address}:{@code port} (the port its own record gives the others).
     */
    public record Discovery(DnsDiscovery.Config dns, String address, int port) {
        /** The daemon-to-daemon port when the file gives none. */
        public static final int DEFAULT_PORT = 4804;

        public Discovery {
            Objects.requireNonNull(dns, "dns");
            Objects.requireNonNull(address, "address");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1 to 65535, was " + port);
            }
        }
    }

    public NetworkConfig {
        daemons = List.copyOf(daemons);
        Objects.requireNonNull(source, "source");
    }

    /** A network whose traffic is plain until {@link #withClusterKey} says otherwise. */
    public NetworkConfig(List<Daemon> daemons, int mtu, @Nullable InetSocketAddress multicastGroup,
            @Nullable String multicastInterface, String source) {
        this(daemons, mtu, multicastGroup, multicastInterface, source, null, null);
    }

    /** A network with the daemons listed, none discovered. */
    public NetworkConfig(List<Daemon> daemons, int mtu, @Nullable InetSocketAddress multicastGroup,
            @Nullable String multicastInterface, String source, java.nio.file.@Nullable Path clusterKey) {
        this(daemons, mtu, multicastGroup, multicastInterface, source, clusterKey, null);
    }

    /** This network with its daemons found in DNS as {@code discovery} says (null: the listed ones). */
    public NetworkConfig withDiscovery(@Nullable Discovery discovery) {
        return new NetworkConfig(daemons, mtu, multicastGroup, multicastInterface, source, clusterKey, discovery);
    }

    /** This network with its traffic sealed under the keys of {@code keyFile} (null: plain). */
    public NetworkConfig withClusterKey(java.nio.file.@Nullable Path keyFile) {
        return new NetworkConfig(daemons, mtu, multicastGroup, multicastInterface, source, keyFile, discovery);
    }

    /** The daemon called {@code name}, or null. */
    public @Nullable Daemon byName(String name) {
        for (Daemon d : daemons) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** The engine's largest datagram for this MTU, less the IP, UDP and transport headers. */
    public int maxDatagramBytes() {
        return Math.min(UdpOptions.MAX_UDP_PAYLOAD, mtu - IP_UDP_HEADER_BYTES) - UdpDaemonNetwork.HEADER_BYTES;
    }

    /** The transport options of daemon {@code self}. */
    public UdpOptions udpOptions(Daemon self) {
        Map<Integer, InetSocketAddress> addresses = new TreeMap<>();
        for (Daemon d : daemons) {
            try {
                addresses.put(d.id(), new InetSocketAddress(InetAddress.getByName(d.host()), d.port()));
            } catch (UnknownHostException e) {
                throw new DaemonConfigFile.ConfigException(source + ":" + d.line() + ": daemon " + d.name()
                        + " has an unknown host '" + d.host() + "'");
            }
        }
        return UdpOptions.of(self.id(), addresses).withMulticast(multicastGroup, multicastInterface);
    }
}

package io.consort.transport.udp;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Immutable options of the daemon-to-daemon UDP transport: which daemon this is, where every
 * daemon of the network listens, and optionally an IP multicast group for broadcasts.
 *
 * @param selfId             this daemon's id; must be a key of {@code daemons}
 * @param daemons            every daemon's id and daemon-to-daemon address, this one's included
 * @param multicastGroup     if set, broadcasts go once to this group address and port, and every
 *                           daemon listens on it; unicast is still used for the token
 * @param multicastInterface the network interface name for multicast, or null for the one of the
 *                           daemon's own address
 * @param receiveBufferBytes SO_RCVBUF of the sockets
 * @param sendBufferBytes    SO_SNDBUF of the sockets
 * @param sendQueueBytesMax  datagrams are dropped (as loss) while more than this many bytes wait
 *                           to be written, so the transport's memory stays bounded
 * @param preferNative       use native epoll when it is available
 */
public record UdpOptions(int selfId, Map<Integer, InetSocketAddress> daemons, @Nullable InetSocketAddress multicastGroup,
        @Nullable String multicastInterface, int receiveBufferBytes, int sendBufferBytes, int sendQueueBytesMax,
        boolean preferNative) {
    /** The largest UDP payload over IPv4. */
    public static final int MAX_UDP_PAYLOAD = 65_507;

    public UdpOptions {
        daemons = java.util.Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(daemons, "daemons")));
        if (!daemons.containsKey(selfId)) {
            throw new IllegalArgumentException("daemon id " + selfId + " is not among the daemons " + daemons.keySet());
        }
        if (receiveBufferBytes <= 0 || sendBufferBytes <= 0 || sendQueueBytesMax <= 0) {
            throw new IllegalArgumentException("buffer sizes must be positive");
        }
        if (multicastGroup != null && !multicastGroup.getAddress().isMulticastAddress()) {
            throw new IllegalArgumentException(multicastGroup + " is not a multicast address");
        }
    }

    /** Unicast only, 4 MiB socket buffers, 16 MiB send queue, native epoll where available. */
    public static UdpOptions of(int selfId, Map<Integer, InetSocketAddress> daemons) {
        return new UdpOptions(selfId, daemons, null, null, 4 << 20, 4 << 20, 16 << 20, true);
    }

    /** This daemon's own address. */
    public InetSocketAddress self() {
        return daemons.get(selfId);
    }

    public UdpOptions withMulticast(@Nullable InetSocketAddress group, @Nullable String networkInterface) {
        return new UdpOptions(selfId, daemons, group, networkInterface, receiveBufferBytes, sendBufferBytes,
                sendQueueBytesMax, preferNative);
    }

    public UdpOptions withBuffers(int receiveBytes, int sendBytes) {
        return new UdpOptions(selfId, daemons, multicastGroup, multicastInterface, receiveBytes, sendBytes,
                sendQueueBytesMax, preferNative);
    }

    public UdpOptions withPreferNative(boolean preferNative) {
        return new UdpOptions(selfId, daemons, multicastGroup, multicastInterface, receiveBufferBytes, sendBufferBytes,
                sendQueueBytesMax, preferNative);
    }
}

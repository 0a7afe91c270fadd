package io.consort.transport.udp;

import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * consortd's plan when its daemon network is found in DNS ({@code network.discovery}): this daemon's
 * id is the number its name ends with (a StatefulSet pod's ordinal), it listens on the discovery's
 * address and port, and it starts knowing no other daemon; {@link DnsDiscovery} tells the transport
 * about the others as their records appear, and the ring forms and grows by merging.
 */
final class DiscoveryPlan {
    private DiscoveryPlan() {
    }

    static Consortd.Plan of(DaemonOptions options, NetworkConfig net, NetworkConfig.Discovery discovery, boolean named,
            boolean tls, @Nullable Path keyFile) {
        String me = options.engine().daemonName();
        if (!named) {
            throw new DaemonConfigFile.ConfigException(net.source() + ": network.discovery needs this daemon's name"
                    + " (--name or daemon.name), ending in its id, such as consort-0 (in Kubernetes: the pod's name)");
        }
        int id = DnsDiscovery.idOf(me);
        if (id < 0) {
            throw new DaemonConfigFile.ConfigException(net.source() + ": with network.discovery the daemon's name must"
                    + " end in its id (0 to " + io.consort.core.EngineConfig.MAX_DAEMON_ID + "), such as consort-0; was '"
                    + me + "'");
        }
        InetSocketAddress bind;
        try {
            bind = new InetSocketAddress(InetAddress.getByName(discovery.address()), discovery.port());
        } catch (UnknownHostException e) {
            throw new DaemonConfigFile.ConfigException(net.source() + ": network.discovery.address '"
                    + discovery.address() + "' is not an address of this machine");
        }
        DaemonOptions o = options.withEngine(options.engine().withClustered(true).withDaemonId(id));
        UdpOptions udp = UdpOptions.of(id, Map.of(id, bind)).withMulticast(net.multicastGroup(), net.multicastInterface());
        SecurityPosture posture = SecurityPosture.of(o.host(), tls, List.of(discovery.address()), keyFile != null);
        return new Consortd.Plan(o, udp, me + " (id " + id + "), daemons found in DNS (" + discovery.dns().srvName()
                + "), daemon traffic on " + udp.self() + (keyFile == null ? ", plain" : ", sealed"),
                keyFile, posture, discovery.dns());
    }

    /** Starts the daemon on {@code network}, which {@code dns}'s discovery keeps told of the other daemons. */
    static EmbeddedDaemon start(Consortd.Plan plan, DnsDiscovery.Config dns, UdpDaemonNetwork network) {
        DnsDiscovery discovery = DnsDiscovery.start(dns, found -> network.updateDaemons(addresses(found)));
        network.closeWith(discovery);
        try {
            return EmbeddedDaemon.start(plan.options(), network);
        } catch (RuntimeException | Error e) {
            discovery.close();
            throw e;
        }
    }

    static Map<Integer, InetSocketAddress> addresses(Map<Integer, DnsDiscovery.Found> found) {
        Map<Integer, InetSocketAddress> m = new TreeMap<>();
        found.forEach((id, f) -> m.put(id, f.address()));
        return m;
    }
}

package io.consort.transport.udp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Reads {@code network.discovery} of consortd's YAML configuration: the daemons are found in DNS
 * ({@link DnsDiscovery}) rather than listed.
 *
 * <pre>
 * network:
 *   discovery:
 *     srv: _daemon._udp.consort.default.svc.cluster.local   # SRV records, one per daemon
 *     port: 4804            # this daemon's daemon-to-daemon UDP port (4804)
 *     address: 0.0.0.0      # where it listens for the other daemons (0.0.0.0)
 *     refreshMillis: 5000   # how often the records are read again (5000; at least 100)
 *     nameServer: 10.96.0.10:53   # the DNS server (default: the system's, /etc/resolv.conf)
 * </pre>
 */
final class DiscoverySection {
    private DiscoverySection() {
    }

    /** The discovery {@code network} describes, or null if it has none. */
    static NetworkConfig.@Nullable Discovery read(JsonNode network, DaemonConfigFile.Reader r) {
        JsonNode d = network.path("discovery");
        if (d.isMissingNode()) {
            return null;
        }
        r.onlyKeys(d, "network.discovery.", "srv", "port", "address", "refreshMillis", "nameServer");
        if (!d.has("srv")) {
            throw r.error("network.discovery", "needs srv: the DNS name whose SRV records list the daemons");
        }
        DnsDiscovery.Config dns = r.apply("network.discovery.srv", null,
                x -> DnsDiscovery.Config.of(r.text(d, "network.discovery.srv")));
        if (d.has("refreshMillis")) {
            int ms = r.integer(d, "network.discovery.refreshMillis");
            dns = r.apply("network.discovery.refreshMillis", dns, c -> c.withRefresh(Duration.ofMillis(ms)));
        }
        if (d.has("nameServer")) {
            String s = r.text(d, "network.discovery.nameServer");
            dns = dns.withNameServer(nameServer(s, r));
        }
        int port = NetworkConfig.Discovery.DEFAULT_PORT;
        if (d.has("port")) {
            port = r.integer(d, "network.discovery.port");
            if (port < 1 || port > 65535) {
                throw r.error("network.discovery.port", "must be 1 to 65535, was " + port);
            }
        }
        String address = d.has("address") ? r.text(d, "network.discovery.address") : "0.0.0.0";
        return new NetworkConfig.Discovery(dns, address, port);
    }

    /** host:port, or a host alone for port 53; the host must be an address (no lookup to find the resolver). */
    private static InetSocketAddress nameServer(String s, DaemonConfigFile.Reader r) {
        int colon = s.lastIndexOf(':');
        String host = colon < 0 ? s : s.substring(0, colon);
        try {
            int port = colon < 0 ? 53 : Integer.parseInt(s.substring(colon + 1));
            if (port < 1 || port > 65535 || !(Character.isDigit(host.charAt(0)) || host.contains(":"))) {
                throw new IllegalArgumentException();
            }
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (java.io.IOException | RuntimeException e) {
            throw r.error("network.discovery.nameServer", "must be an address and port, such as 10.96.0.10:53, was '"
                    + s + "'");
        }
    }
}

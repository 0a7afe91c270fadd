package io.consort.transport.udp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * consortd's rule "secure by default off loopback", in one place: a client listener on an address
 * other than loopback needs TLS, and a daemon network with any daemon address other than loopback
 * needs a cluster key, unless the operator says {@code --insecure} (then each gap is a warning).
 * On loopback nothing is required: the zero-configuration default stays as it is.
 *
 * <pre>{@code
 * SecurityPosture p = SecurityPosture.of("0.0.0.0", false, List.of("10.0.0.1", "10.0.0.2"), true);
 * if (!p.problems().isEmpty() && !insecure) { refuse(p.problems()); }
 * }</pre>
 *
 * @param problems what is exposed off loopback without protection; empty when the daemon may start
 */
public record SecurityPosture(List<String> problems) {
    public SecurityPosture {
        problems = List.copyOf(problems);
    }

    /**
     * The posture of a daemon serving clients on {@code clientHost}, with TLS for them or not, in a
     * daemon network of {@code daemonHosts} (empty when alone), with a cluster key or not.
     */
    public static SecurityPosture of(String clientHost, boolean clientTls, Collection<String> daemonHosts,
            boolean clusterKey) {
        Objects.requireNonNull(clientHost, "clientHost");
        List<String> problems = new ArrayList<>();
        if (!clientTls && !loopback(clientHost)) {
            problems.add("clients are served on " + clientHost + ", which is not a loopback address, without TLS"
                    + " (configure tls, or listen on 127.0.0.1)");
        }
        if (!clusterKey) {
            List<String> exposed = daemonHosts.stream().filter(h -> !loopback(h)).toList();
            if (!exposed.isEmpty()) {
                problems.add("the daemon network reaches " + exposed + ", not loopback, without a cluster key"
                        + " (set network.clusterKey or --cluster-key)");
            }
        }
        return new SecurityPosture(problems);
    }

    /** Whether {@code host} names only loopback (127.0.0.0/8, ::1); an unknown host is not. */
    static boolean loopback(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * Whether the YAML configuration {@code file} has a {@code security.tls} section: the client
     * sessions' TLS settings live there; their presence is what this check needs (a broken one is
     * refused by the configuration reader itself).
     */
    public static boolean hasTlsSection(@Nullable Path file) {
        if (file == null || SpreadConf.looksLikeSpreadConf(file)) {
            return false;
        }
        try {
            JsonNode root = YAMLMapper.builder().build().readTree(Files.readString(file));
            return root != null && root.isObject() && root.path("security").path("tls").isObject();
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }
}

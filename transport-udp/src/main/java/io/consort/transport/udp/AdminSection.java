package io.consort.transport.udp;

import io.consort.daemon.admin.AdminOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads the {@code admin} section of consortd's YAML: the admin port (metrics, probes, the monitor, the
 * live view). Without the section there is no admin port.
 *
 * <pre>
 * admin:
 *   port: 9464                  # 0 picks a free one
 *   address: 127.0.0.1          # loopback by default: the metrics describe the whole ring
 *   allowFaultInjection: false  # true lets consort-monitor cut this daemon's links, for tests only
 * </pre>
 */
final class AdminSection {
    private static final YAMLMapper MAPPER = YAMLMapper.builder().build();

    private AdminSection() {
    }

    /** The admin options {@code file} asks for, or null if it has no admin section (or is a spread.conf). */
    static @Nullable AdminOptions read(@Nullable Path file) {
        if (file == null || SpreadConf.looksLikeSpreadConf(file)) {
            return null;
        }
        String text;
        JsonNode root;
        try {
            text = Files.readString(file);
            root = MAPPER.readTree(text);
        } catch (IOException | JacksonException e) {
            return null; // DaemonConfigFile has reported it already
        }
        if (root == null || !root.has("admin")) {
            return null;
        }
        DaemonConfigFile.Reader r = new DaemonConfigFile.Reader(file, text);
        JsonNode admin = root.get("admin");
        r.onlyKeys(admin, "admin.", "port", "address", "allowFaultInjection");
        AdminOptions options = AdminOptions.defaults();
        options = r.integerSetting(admin, "admin.port", options, AdminOptions::withPort);
        if (admin.has("address")) {
            String a = r.text(admin, "admin.address");
            options = r.apply("admin.address", options, o -> o.withAddress(a));
        }
        if (admin.has("allowFaultInjection")) {
            JsonNode v = admin.get("allowFaultInjection");
            if (!v.isBoolean()) {
                throw r.error("admin.allowFaultInjection", "must be true or false, was " + v);
            }
            options = options.withAllowFaultInjection(v.booleanValue());
        }
        return options;
    }
}

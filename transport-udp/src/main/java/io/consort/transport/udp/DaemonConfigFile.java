package io.consort.transport.udp;

import io.consort.core.EngineConfig;
import io.consort.reactive.daemon.DaemonOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads consortd's YAML configuration. Every key is optional; what is missing keeps its default.
 *
 * <pre>
 * daemon:
 *   name: d1                 # the daemon part of private names
 *   host: 127.0.0.1          # where clients connect
 *   clientPort: 4803
 * limits:
 *   maxMessageBytes: 1048576
 *   maxGroupsPerMessage: 128
 *   maxSessions: 10000
 *   sessionBufferBytesMax: 16777216
 *   sendWindowMessages: 256
 *   slowConsumerPolicy: disconnect   # or hold-back-senders
 * </pre>
 *
 * Errors name the file, the line and what is wrong.
 */
public final class DaemonConfigFile {
    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private DaemonConfigFile() {
    }

    /** The daemon options {@code file} describes, over {@code base}. */
    public static DaemonOptions read(Path file, DaemonOptions base) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JacksonException e) {
            TokenStreamLocation loc = e.getLocation();
            String where = loc == null ? "" : ":" + loc.getLineNr();
            throw new ConfigException(file + where + ": not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return base;
        }
        Reader r = new Reader(file, text);
        r.onlyKeys(root, "", "daemon", "limits");
        DaemonOptions options = base;
        EngineConfig engine = base.engine();
        JsonNode daemon = root.path("daemon");
        if (!daemon.isMissingNode()) {
            r.onlyKeys(daemon, "daemon.", "name", "host", "clientPort");
            if (daemon.has("name")) {
                String name = r.text(daemon, "daemon.name");
                engine = r.apply("daemon.name", engine, e -> e.withDaemonName(name));
            }
            if (daemon.has("host")) {
                options = options.withHost(r.text(daemon, "daemon.host"));
            }
            if (daemon.has("clientPort")) {
                int port = r.integer(daemon, "daemon.clientPort");
                options = r.apply("daemon.clientPort", options, o -> o.withPort(port));
            }
        }
        JsonNode limits = root.path("limits");
        if (!limits.isMissingNode()) {
            r.onlyKeys(limits, "limits.", "maxMessageBytes", "maxGroupsPerMessage", "maxSessions",
                    "sessionBufferBytesMax", "sendWindowMessages", "slowConsumerPolicy");
            if (limits.has("maxMessageBytes")) {
                int v = r.integer(limits, "limits.maxMessageBytes");
                engine = r.apply("limits.maxMessageBytes", engine, e -> e.withMaxMessageBytes(v));
            }
            if (limits.has("maxGroupsPerMessage")) {
                int v = r.integer(limits, "limits.maxGroupsPerMessage");
                engine = r.apply("limits.maxGroupsPerMessage", engine, e -> e.withMaxGroupsPerMessage(v));
            }
            if (limits.has("maxSessions")) {
                int v = r.integer(limits, "limits.maxSessions");
                engine = r.apply("limits.maxSessions", engine, e -> e.withMaxSessions(v));
            }
            if (limits.has("sessionBufferBytesMax")) {
                long v = r.integer(limits, "limits.sessionBufferBytesMax");
                engine = r.apply("limits.sessionBufferBytesMax", engine, e -> e.withSessionBufferBytesMax(v));
            }
            if (limits.has("sendWindowMessages")) {
                int v = r.integer(limits, "limits.sendWindowMessages");
                engine = r.apply("limits.sendWindowMessages", engine, e -> e.withSendWindowMessages(v));
            }
            if (limits.has("slowConsumerPolicy")) {
                String v = r.text(limits, "limits.slowConsumerPolicy");
                EngineConfig.SlowConsumerPolicy policy = switch (v.toLowerCase(Locale.ROOT)) {
                    case "disconnect" -> EngineConfig.SlowConsumerPolicy.DISCONNECT;
                    case "hold-back-senders" -> EngineConfig.SlowConsumerPolicy.HOLD_BACK_SENDERS;
                    default -> throw r.error("limits.slowConsumerPolicy",
                            "must be disconnect or hold-back-senders, was '" + v + "'");
                };
                engine = engine.withSlowConsumerPolicy(policy);
            }
        }
        return options.withEngine(engine);
    }

    /** A configuration file is wrong; the message names the file, the line and the problem. */
    public static final class ConfigException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ConfigException(String message) {
            super(message);
        }
    }

    /** Reads typed values and turns every mistake into a message with file and line. */
    private static final class Reader {
        private final Path file;
        private final String[] lines;

        Reader(Path file, String text) {
            this.file = file;
            this.lines = text.split("\n", -1);
        }

        ConfigException error(String key, String problem) {
            return new ConfigException(file + ":" + lineOf(key) + ": " + key + " " + problem);
        }

        /** The 1-based line where the key's last segment is written, or 0 if not found. */
        private int lineOf(String key) {
            String last = key.substring(key.lastIndexOf('.') + 1);
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].trim().startsWith(last + ":")) {
                    return i + 1;
                }
            }
            return 0;
        }

        void onlyKeys(JsonNode node, String prefix, String... allowed) {
            if (!node.isObject()) {
                throw error(prefix.isEmpty() ? "(top level)" : prefix.substring(0, prefix.length() - 1),
                        "must be a mapping of keys to values");
            }
            java.util.Set<String> ok = java.util.Set.of(allowed);
            for (String name : node.propertyNames()) {
                if (!ok.contains(name)) {
                    throw error(prefix + name, "is not a known key; known here: " + String.join(", ", allowed));
                }
            }
        }

        String text(JsonNode node, String key) {
            JsonNode v = node.get(key.substring(key.lastIndexOf('.') + 1));
            if (v == null || !v.isValueNode() || v.isNull()) {
                throw error(key, "must be a text value");
            }
            return v.asString();
        }

        int integer(JsonNode node, String key) {
            JsonNode v = node.get(key.substring(key.lastIndexOf('.') + 1));
            if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
                throw error(key, "must be a whole number, was " + (v == null ? "nothing" : v.toString()));
            }
            return v.intValue();
        }

        <T> T apply(String key, T target, java.util.function.Function<T, T> change) {
            try {
                return change.apply(target);
            } catch (RuntimeException e) {
                throw error(key, "is invalid: " + e.getMessage());
            }
        }
    }
}

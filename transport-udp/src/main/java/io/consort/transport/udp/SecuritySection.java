package io.consort.transport.udp;

import io.consort.daemon.DaemonOptions;
import io.consort.daemon.security.AccessPolicy;
import io.consort.daemon.security.AccessRules;
import io.consort.daemon.security.Authenticator;
import io.consort.daemon.security.Glob;
import io.consort.daemon.security.Permission;
import io.consort.daemon.security.ServerTls;
import io.consort.daemon.security.SessionSecurity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The {@code security:} section of consortd's YAML: TLS, authentication and access rules of client
 * sessions. Paths are relative to the configuration file. consortd re-reads the file when it changes
 * ({@code security.reload}), and applies the new users, rules and TLS files without a restart.
 *
 * <pre>
 * security:
 *   reload: 2000                        # ms between checks of this file for a change; 0: never
 *   tls:
 *     certificateChain: daemon.crt      # PEM: the daemon's certificate, then intermediates
 *     privateKey: daemon.key            # PEM: unencrypted PKCS#8 (BEGIN PRIVATE KEY)
 *     trustedCertificates: clients-ca.crt  # PEM: CAs of client certificates (for want / need)
 *     clientAuth: none                  # none | want | need (mutual TLS)
 *     reloadCheck: 1000                 # ms: certificate files are checked this often, on new connections
 *   authentication:
 *     methods: [certificate, password]  # tried in order; none given: everyone is anonymous
 *     users:                            # identity: hash from consortd --hash-password
 *       alice: "pbkdf2-sha256:210000:...:..."
 *     failureDelay: {min: 100, max: 10000}   # ms: failed logins from one address wait this, doubling
 *   access:                             # an allow-list; absent: everything for authenticated identities
 *     - identity: alice                 #   (nothing for anonymous), or for everyone without authentication
 *       allow: [connect, join, send, unicast]
 *       groups: ["orders.*", "#*#*"]      # glob patterns; private groups are #user#daemon (default *)
 *       users: ["alice*"]               # the user names it may connect as (default *)
 *     - {identity: anonymous, allow: [connect, join], groups: ["public.*"]}
 * </pre>
 */
final class SecuritySection {
    /** How often consortd checks its file for a change by default, in milliseconds. */
    static final int DEFAULT_RELOAD_MILLIS = 2_000;

    private SecuritySection() {
    }

    /** {@code options} with the security {@code node} describes (a missing node changes nothing). */
    static DaemonOptions read(JsonNode node, DaemonConfigFile.Reader r, Path file, DaemonOptions options) {
        if (node.isMissingNode() || node.isNull()) {
            return options;
        }
        r.onlyKeys(node, "security.", "reload", "tls", "authentication", "access");
        if (node.has("reload") && r.integer(node, "security.reload") < 0) {
            throw r.error("security.reload", "must be 0 (never) or a positive number of milliseconds");
        }
        Path base = file.toAbsolutePath().getParent();
        SessionSecurity s = options.security();
        JsonNode tls = node.path("tls");
        if (!tls.isMissingNode()) {
            s = s.withTls(tls(tls, r, base));
        }
        JsonNode auth = node.path("authentication");
        boolean authenticates = false;
        if (!auth.isMissingNode()) {
            r.onlyKeys(auth, "security.authentication.", "methods", "users", "failureDelay");
            Map<String, String> users = users(auth.path("users"), r);
            List<Authenticator> chain = new ArrayList<>();
            JsonNode methods = auth.path("methods");
            if (methods.isMissingNode() && !users.isEmpty()) {
                chain.add(Authenticator.passwords(users)); // users listed: passwords are the method
            } else if (!methods.isMissingNode()) {
                if (!methods.isArray()) {
                    throw r.error("security.authentication.methods", "must be a list of: password, certificate");
                }
                for (JsonNode m : methods) {
                    String name = m.asString().toLowerCase(Locale.ROOT);
                    switch (name) {
                        case "password" -> chain.add(r.apply("security.authentication.users", null,
                                x -> Authenticator.passwords(users)));
                        case "certificate" -> chain.add(Authenticator.certificateSubject());
                        case "none" -> {
                        }
                        default -> throw r.error("security.authentication.methods",
                                "has '" + m.asString() + "'; known: password, certificate, none");
                    }
                }
            }
            if (chain.contains(Authenticator.certificateSubject())
                    && (s.tls() == null || s.tls().clientAuth() == ServerTls.ClientAuth.NONE)) {
                throw r.error("security.authentication.methods",
                        "has certificate, which needs security.tls.clientAuth want or need");
            }
            if (!users.isEmpty() && chain.stream().allMatch(a -> a == Authenticator.certificateSubject())) {
                throw r.error("security.authentication.users", "are listed but methods does not include password");
            }
            if (!chain.isEmpty()) {
                s = s.withAuthenticator(Authenticator.firstOf(chain.toArray(new Authenticator[0])));
                authenticates = true;
            }
            JsonNode delay = auth.path("failureDelay");
            if (!delay.isMissingNode()) {
                r.onlyKeys(delay, "security.authentication.failureDelay.", "min", "max");
                int min = delay.has("min") ? r.integer(delay, "security.authentication.failureDelay.min")
                        : (int) s.failureDelayMin().toMillis();
                int max = delay.has("max") ? r.integer(delay, "security.authentication.failureDelay.max")
                        : (int) s.failureDelayMax().toMillis();
                SessionSecurity current = s;
                s = r.apply("security.authentication.failureDelay", s,
                        x -> current.withFailureDelay(Duration.ofMillis(min), Duration.ofMillis(max)));
            }
        }
        JsonNode access = node.path("access");
        AccessPolicy policy = authenticates ? AccessRules.authenticatedOnly() : AccessPolicy.allowAll();
        if (!access.isMissingNode()) {
            policy = rules(access, r);
        }
        return options.withSecurity(s.withPolicy(policy));
    }

    /** How often consortd should check {@code root}'s file for a change, from its {@code security.reload}. */
    static Duration reloadInterval(JsonNode root) {
        JsonNode node = root.path("security");
        JsonNode v = node.path("reload");
        return Duration.ofMillis(v.isIntegralNumber() && v.canConvertToInt() ? Math.max(0, v.intValue())
                : node.isMissingNode() ? 0 : DEFAULT_RELOAD_MILLIS);
    }

    private static ServerTls tls(JsonNode tls, DaemonConfigFile.Reader r, Path base) {
        r.onlyKeys(tls, "security.tls.", "certificateChain", "privateKey", "trustedCertificates", "clientAuth",
                "reloadCheck");
        for (String k : new String[] {"certificateChain", "privateKey"}) {
            if (!tls.has(k)) {
                throw r.error("security.tls", "needs " + k + " (a PEM file)");
            }
        }
        Path chain = readable(tls, "security.tls.certificateChain", r, base);
        Path key = readable(tls, "security.tls.privateKey", r, base);
        Path trusted = tls.has("trustedCertificates") ? readable(tls, "security.tls.trustedCertificates", r, base) : null;
        ServerTls.ClientAuth clientAuth = ServerTls.ClientAuth.NONE;
        if (tls.has("clientAuth")) {
            String v = r.text(tls, "security.tls.clientAuth");
            try {
                clientAuth = ServerTls.ClientAuth.valueOf(v.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw r.error("security.tls.clientAuth", "must be none, want or need, was '" + v + "'");
            }
        }
        Duration check = Duration.ofSeconds(1);
        if (tls.has("reloadCheck")) {
            int ms = r.integer(tls, "security.tls.reloadCheck");
            if (ms < 0) {
                throw r.error("security.tls.reloadCheck", "may not be negative");
            }
            check = Duration.ofMillis(ms);
        }
        ServerTls.ClientAuth ca = clientAuth;
        Duration c = check;
        return r.apply("security.tls", null, x -> new ServerTls(chain, key, trusted, ca, c));
    }

    private static Path readable(JsonNode node, String key, DaemonConfigFile.Reader r, Path base) {
        Path p = base.resolve(r.text(node, key));
        if (!java.nio.file.Files.isReadable(p)) {
            throw r.error(key, "names " + p + ", which cannot be read");
        }
        return p;
    }

    private static Map<String, String> users(JsonNode users, DaemonConfigFile.Reader r) {
        Map<String, String> out = new LinkedHashMap<>();
        if (users.isMissingNode()) {
            return out;
        }
        r.onlyKeys(users, "security.authentication.users.", users.propertyNames().toArray(new String[0]));
        for (String identity : users.propertyNames()) {
            if (identity.equals(AccessRules.ANONYMOUS)) {
                throw r.error("security.authentication.users." + identity, "is reserved for sessions without credentials");
            }
            out.put(identity, r.text(users, "security.authentication.users." + identity));
        }
        return out;
    }

    /** The glob list at {@code key} of a rule; absent: {@code *}. */
    private static List<Glob> patterns(JsonNode rule, String key, int line, DaemonConfigFile.Reader r) {
        List<Glob> out = new ArrayList<>();
        JsonNode g = rule.path(key);
        if (g.isMissingNode()) {
            out.add(Glob.of("*"));
        } else if (g.isArray() && !g.isEmpty()) {
            for (JsonNode p : g) {
                if (!p.isString() || p.asString().isEmpty()) {
                    throw r.errorAt(line, "security.access." + key, "must be non-empty patterns such as orders.* (or *)");
                }
                out.add(Glob.of(p.asString()));
            }
        } else {
            throw r.errorAt(line, "security.access." + key, "must be a non-empty list of patterns");
        }
        return out;
    }

    private static AccessRules rules(JsonNode access, DaemonConfigFile.Reader r) {
        if (!access.isArray()) {
            throw r.error("security.access", "must be a list of rules, each with identity, allow and groups");
        }
        AccessRules.Builder b = AccessRules.builder();
        int item = 0;
        for (JsonNode rule : access) {
            int line = r.itemLine("access", item++);
            if (!rule.isObject()) {
                throw r.errorAt(line, "security.access", "items must each be a mapping with identity, allow and groups");
            }
            for (String k : rule.propertyNames()) {
                if (!Set.of("identity", "allow", "groups", "users").contains(k)) {
                    throw r.errorAt(line, "security.access." + k, "is not a known key; known here: identity, allow, groups, users");
                }
            }
            if (!rule.has("identity") || !rule.get("identity").isString() || !rule.has("allow") || !rule.get("allow").isArray()) {
                throw r.errorAt(line, "security.access", "item " + item + " needs identity (text) and allow (a list)");
            }
            Set<Permission> allow = EnumSet.noneOf(Permission.class);
            for (JsonNode p : rule.get("allow")) {
                try {
                    allow.add(Permission.valueOf(p.asString().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw r.errorAt(line, "security.access.allow", "has '" + p.asString()
                            + "'; known: connect, join, leave, send, unicast");
                }
            }
            List<Glob> groups = patterns(rule, "groups", line, r);
            List<Glob> users = patterns(rule, "users", line, r);
            try {
                b.allow(new AccessRules.Rule(rule.get("identity").asString(), allow, groups, users));
            } catch (IllegalArgumentException e) {
                throw r.errorAt(line, "security.access", "item " + item + ": " + e.getMessage());
            }
        }
        return b.build();
    }
}

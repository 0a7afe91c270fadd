package io.consort.transport.udp;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * consort-monitor: asks a running daemon, over its admin port, who is in its ring, which groups it
 * sees and which sessions it serves, as Spread's spmonitor does; and, where the daemon's configuration
 * allows it, cuts its links for a test.
 *
 * <pre>
 * consort-monitor status
 * consort-monitor --admin 10.0.0.2:9464 --user ops --password-file ops.pw --ca ca.crt groups
 * consort-monitor watch
 * consort-monitor partition 2 3     # only with admin.allowFaultInjection: true; "partition" alone heals
 * </pre>
 */
@Command(name = "consort-monitor", mixinStandardHelpOptions = true, version = "consort-monitor 0.1.0",
        description = "Shows a running Consort daemon and its ring, through the daemon's admin port.",
        subcommands = {ConsortMonitor.Status.class, ConsortMonitor.Groups.class, ConsortMonitor.Group.class,
            ConsortMonitor.Sessions.class, ConsortMonitor.Watch.class, ConsortMonitor.Partition.class},
        footer = {"", "When the daemon's session security is on, give the same credentials a session would",
            "(--user and --password-file, or CONSORT_MONITOR_PASSWORD); with TLS on, --ca names the CA",
            "that signed the daemon's certificate. Exit codes: 0 done, 1 the daemon refused or failed, 2 usage."})
public final class ConsortMonitor implements Callable<Integer> {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Option(names = {"-a", "--admin"}, paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9464",
            description = "The daemon's admin port (default ${DEFAULT-VALUE}).")
    String admin = "127.0.0.1:9464";

    @Option(names = {"-u", "--user"}, paramLabel = "IDENTITY", description = "The identity to authenticate as.")
    @Nullable String user;

    @Option(names = "--password-file", paramLabel = "FILE", description = "A file whose first line is the password.")
    @Nullable Path passwordFile;

    @Option(names = "--ca", paramLabel = "FILE", description = "PEM CA certificates to trust: the admin port speaks TLS.")
    @Nullable Path ca;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(out());
        return 2;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** GETs {@code path} from the admin port and reads it as JSON. */
    JsonNode get(String path) throws IOException, InterruptedException {
        return JSON.readTree(send(request(path).GET().build()));
    }

    String send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = client().send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new MonitorException(r.statusCode() == 401 ? "the daemon asks for credentials (--user, --password-file)"
                    : "the daemon answered " + r.statusCode() + ": " + r.body().trim());
        }
        return r.body();
    }

    HttpRequest.Builder request(String path) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create((ca == null ? "http://" : "https://") + admin + path))
                .timeout(Duration.ofSeconds(10));
        if (user != null) {
            String pw = passwordFile != null ? Files.readAllLines(passwordFile).stream().findFirst().orElse("")
                    : System.getenv().getOrDefault("CONSORT_MONITOR_PASSWORD", "");
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + pw).getBytes(StandardCharsets.UTF_8)));
        }
        return b;
    }

    private HttpClient client() throws IOException {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5));
        if (ca != null) {
            try {
                KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
                trust.load(null, null);
                int i = 0;
                for (X509Certificate c : io.consort.protocol.Pem.certificates(Files.readAllBytes(ca))) {
                    trust.setCertificateEntry("ca" + i++, c);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
                SSLContext ssl = SSLContext.getInstance("TLS");
                ssl.init(null, tmf.getTrustManagers(), null);
                b.sslContext(ssl);
            } catch (java.security.GeneralSecurityException e) {
                throw new IOException("cannot use " + ca + ": " + e.getMessage(), e);
            }
        }
        return b.build();
    }

    /** A refusal or failure of the daemon, reported on one line. */
    static final class MonitorException extends IOException {
        private static final long serialVersionUID = 1L;

        MonitorException(String message) {
            super(message);
        }
    }

    /** The status lines: this daemon, its ring and its rates' totals. */
    static String status(JsonNode s) {
        JsonNode c = s.path("counters");
        StringBuilder b = new StringBuilder();
        b.append("daemon ").append(s.path("daemon").asString()).append(" (id ").append(s.path("daemonId").asInt())
                .append(") up ").append(s.path("uptimeMillis").asLong() / 1000).append(" s, ")
                .append(s.path("regular").asBoolean() ? "regular" : "CHANGING").append('\n');
        b.append("configuration ").append(s.path("configurationId").asString()).append(": ")
                .append(join(s.path("members"), " -> ")).append('\n');
        b.append("sessions ").append(s.path("sessions").asInt()).append(", groups ").append(s.path("groups").size())
                .append('\n');
        b.append("configurations ").append(c.path("configurations").asLong()).append(", gathers ")
                .append(fields(c.path("gathers"))).append('\n');
        long rotations = c.path("tokenRotations").asLong();
        b.append(String.format(java.util.Locale.ROOT, "token rotations %d (mean %.3f ms), retransmit requests %d, "
                + "retransmitted %d, backlog %d%n", rotations,
                rotations == 0 ? 0.0 : c.path("tokenRotationNanos").asLong() / 1e6 / rotations,
                c.path("retransmitRequests").asLong(), c.path("retransmittedMessages").asLong(), c.path("backlog").asInt()));
        b.append("received ").append(fields(c.path("messagesIn"))).append('\n');
        b.append("delivered ").append(fields(s.path("delivered"))).append('\n');
        b.append("dropped ").append(fields(s.path("dropped"))).append('\n');
        return b.toString();
    }

    private static String join(JsonNode array, String sep) {
        StringBuilder b = new StringBuilder();
        for (JsonNode n : array) {
            if (!b.isEmpty()) {
                b.append(sep);
            }
            b.append(n.asString());
        }
        return b.toString();
    }

    /** The non-zero fields of {@code node} as {@code k=v}, sorted; "none" if all are zero. */
    private static String fields(JsonNode node) {
        java.util.TreeMap<String, Long> m = new java.util.TreeMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (e.getValue().asLong() != 0) {
                m.put(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue().asLong());
            }
        }
        if (m.isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(b.isEmpty() ? "" : " ").append(k).append('=').append(v));
        return b.toString();
    }

    abstract static class Sub implements Callable<Integer> {
        @ParentCommand
        ConsortMonitor parent;

        @Override
        public Integer call() throws Exception {
            try {
                run(parent.out());
                parent.out().flush();
                return 0;
            } catch (IOException e) {
                parent.spec.commandLine().getErr().println("consort-monitor: " + (e instanceof MonitorException
                        ? e.getMessage() : "cannot reach " + parent.admin + ": " + e));
                parent.spec.commandLine().getErr().flush();
                return 1;
            }
        }

        abstract void run(PrintWriter out) throws IOException, InterruptedException;
    }

    @Command(name = "status", description = "This daemon and its ring: members in token order, configuration, uptime, totals.")
    static final class Status extends Sub {
        @Override
        void run(PrintWriter out) throws IOException, InterruptedException {
            out.print(status(parent.get("/api/status")));
        }
    }

    @Command(name = "groups", description = "Every group with members, its view and its member count.")
    static final class Groups extends Sub {
        @Override
        void run(PrintWriter out) throws IOException, InterruptedException {
            JsonNode groups = parent.get("/api/groups");
            if (groups.isEmpty()) {
                out.println("no groups");
            }
            for (JsonNode g : groups) {
                out.println(g.path("name").asString() + "  " + g.path("members").size() + " members  view "
                        + g.path("viewId").asString());
            }
        }
    }

    @Command(name = "group", description = "One group: its view and its members in view order.")
    static final class Group extends Sub {
        @Parameters(paramLabel = "NAME", description = "The group's name.")
        String name = "";

        @Override
        void run(PrintWriter out) throws IOException, InterruptedException {
            JsonNode g = parent.get("/api/group?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
            out.println(g.path("name").asString() + "  view " + g.path("viewId").asString());
            for (JsonNode m : g.path("members")) {
                out.println("  " + m.asString());
            }
        }
    }

    @Command(name = "sessions", description = "This daemon's sessions, the most buffered first.")
    static final class Sessions extends Sub {
        @Override
        void run(PrintWriter out) throws IOException, InterruptedException {
            java.util.List<JsonNode> all = new java.util.ArrayList<>();
            parent.get("/api/sessions").forEach(all::add);
            all.sort((a, b) -> Long.compare(b.path("bufferedBytes").asLong(), a.path("bufferedBytes").asLong()));
            out.println(all.size() + " sessions");
            for (JsonNode s : all) {
                out.println(String.format(java.util.Locale.ROOT, "  %-32s buffered %10d  unordered %10d  groups %s",
                        s.path("privateName").asString(), s.path("bufferedBytes").asLong(),
                        s.path("unorderedBytes").asLong(), join(s.path("groups"), ",")));
            }
        }
    }

    @Command(name = "watch", description = "The status, refreshed every --interval until interrupted (or --count times).")
    static final class Watch extends Sub {
        @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "1", description = "Seconds between refreshes.")
        double interval = 1;

        @Option(names = "--count", paramLabel = "N", defaultValue = "0", description = "Stop after N refreshes (0: never).")
        int count;

        @Override
        void run(PrintWriter out) throws IOException, InterruptedException {
            JsonNode previous = null;
            for (int i = 0; count == 0 || i < count; i++) {
                if (i > 0) {
                    Thread.sleep((long) (interval * 1000)); // the refresh period itself, not a wait for a result
                }
                JsonNode s = parent.get("/api/status");
                out.print("\033[H\033[2J"); // home and clear, as top does
                out.print(status(s));
                if (previous != null) {
                    double dt = Math.max(1, s.path("takenAtMillis").asLong() - previous.path("takenAtMillis").asLong()) / 1000.0;
                    out.println(String.format(java.util.Locale.ROOT, "rates: received %.0f/s, delivered %.0f/s",
                            (sum(s.path("counters").path("messagesIn")) - sum(previous.path("counters").path("messagesIn"))) / dt,
                            (sum(s.path("delivered")) - sum(previous.path("delivered"))) / dt));
                }
                out.flush();
                previous = s;
            }
        }

        private static long sum(JsonNode n) {
            long t = 0;
            for (Iterator<JsonNode> it = n.values().iterator(); it.hasNext();) {
                t += it.next().asLong();
            }
            return t;
        }
    }

    @Command(name = "partition", description = {"For tests: drop this daemon's datagrams to and from the daemons "
            + "with these ids; with no ids, heal.", "Only when the daemon's admin.allowFaultInjection is true."})
    static final class Partition extends Sub {
        @Parameters(paramLabel = "ID", arity = "0..*", description = "Daemon ids to cut off.")
        java.util.List<Integer> ids = new java.util.ArrayList<>();

        @Override
        void run(PrintWriter out) throws IOException, InterruptedException {
            String list = String.join(",", ids.stream().map(String::valueOf).toList());
            out.print(parent.send(parent.request("/api/isolate?daemons=" + list)
                    .POST(HttpRequest.BodyPublishers.noBody()).build()));
        }
    }

    /** Runs consort-monitor. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ConsortMonitor()).execute(args));
    }
}

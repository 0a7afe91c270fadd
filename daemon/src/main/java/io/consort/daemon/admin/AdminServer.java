package io.consort.daemon.admin;

import io.consort.daemon.DaemonMonitor;
import io.consort.daemon.DaemonSnapshot;
import io.consort.daemon.security.AuthOutcome;
import io.consort.daemon.security.AuthRequest;
import io.consort.daemon.security.Identity;
import io.consort.daemon.security.Permission;
import io.consort.daemon.security.ServerTls;
import io.consort.daemon.security.ServerTlsContext;
import io.consort.daemon.security.SessionSecurity;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;
import tools.jackson.databind.json.JsonMapper;

/**
 * The daemon's admin port, on Reactor Netty HTTP and a small event loop of its own (never the engine's):
 *
 * <ul>
 * <li>{@code GET /metrics}: every {@link DaemonMeters} meter in Prometheus' text format;</li>
 * <li>{@code GET /ready}: 200 when the daemon is in a regular configuration, else 503;
 *     {@code GET /live}: 200 while the process runs;</li>
 * <li>{@code GET /api/status}, {@code /api/groups}, {@code /api/group?name=G}, {@code /api/sessions}: the
 *     JSON that consort-monitor reads; {@code GET /api/events}: the status as Server-Sent Events, once a second;</li>
 * <li>{@code GET /}: the live view of the ring;</li>
 * <li>{@code POST /api/isolate?daemons=2,3} (empty heals): a partition for testing, only with
 *     {@code allowFaultInjection}.</li>
 * </ul>
 *
 * <p>When the daemon's session security checks anything, everything but the probes and {@code /metrics}
 * asks for the session credentials (HTTP Basic, checked by the daemon's own authenticator; the identity
 * must be authenticated and allowed to connect as {@code consort-monitor}), and with TLS configured the
 * port speaks TLS with the daemon's certificate.
 *
 * <pre>{@code
 * try (AdminServer admin = AdminServer.start(daemon.monitor(), AdminOptions.defaults().withPort(0))) {
 *     System.out.println("metrics on http://127.0.0.1:" + admin.port() + "/metrics");
 * }
 * }</pre>
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    /** The user name the access rules see for the monitor. */
    public static final String MONITOR_TARGET = "consort-monitor";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final DaemonMonitor monitor;
    private final AdminOptions options;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final LoopResources resources;
    private final DisposableServer server;
    /** Held so that the registry's weakly held meter functions keep reading. */
    private final DaemonMeters meters;

    private AdminServer(DaemonMonitor monitor, AdminOptions options) {
        this.monitor = monitor;
        this.options = options;
        this.meters = DaemonMeters.bind(registry, monitor::snapshot);
        this.resources = LoopResources.create("consort-admin", 1, 1, true, false);
        SessionSecurity security = monitor.security();
        HttpServer http = HttpServer.create().runOn(resources).host(options.address()).port(options.port())
                .route(r -> r.get("/metrics", (q, s) -> metrics(s))
                        .get("/ready", (q, s) -> s.status(monitor.regular() ? HttpResponseStatus.OK
                                : HttpResponseStatus.SERVICE_UNAVAILABLE).sendString(Mono.just(
                                        monitor.regular() ? "ready\n" : "not in a regular configuration\n")))
                        .get("/live", (q, s) -> s.sendString(Mono.just("live\n")))
                        .get("/api/status", (q, s) -> guarded(q, s, () -> json(s, AdminServer::status)))
                        .get("/api/groups", (q, s) -> guarded(q, s, () -> json(s, DaemonSnapshot::groups)))
                        .get("/api/sessions", (q, s) -> guarded(q, s, () -> json(s, DaemonSnapshot::sessions)))
                        .get("/api/group", (q, s) -> guarded(q, s, () -> group(q, s)))
                        .get("/api/events", (q, s) -> guarded(q, s, () -> events(s)))
                        .post("/api/isolate", (q, s) -> guarded(q, s, () -> isolate(q, s)))
                        .get("/", (q, s) -> guarded(q, s, () -> s.header("Content-Type", "text/html; charset=utf-8")
                                .sendString(Mono.just(LiveView.page())))));
        if (security.tls() != null) {
            // No client certificate asked for, whatever sessions must show: the probes and Prometheus have
            // none, and the monitor's paths check a password. A handler per connection from the current
            // context, so a rotated certificate is served here as on the client port.
            ServerTlsContext tls = ServerTlsContext.load(security.tls().withClientAuth(ServerTls.ClientAuth.NONE));
            http = http.doOnChannelInit((observer, channel, remote) ->
                    channel.pipeline().addFirst("adminTls", tls.current().newHandler(channel.alloc())));
        }
        try {
            this.server = http.bindNow(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            resources.disposeLater(Duration.ZERO, Duration.ofSeconds(2)).block(Duration.ofSeconds(5));
            throw e;
        }
        log.info("daemon {}: admin port on {}:{}{}", monitor.daemonName(), options.address(), port(),
                options.allowFaultInjection() ? " (fault injection allowed)" : "");
    }

    /** Starts the admin port of the daemon {@code monitor} shows. */
    public static AdminServer start(DaemonMonitor monitor, AdminOptions options) {
        return new AdminServer(Objects.requireNonNull(monitor, "monitor"), Objects.requireNonNull(options, "options"));
    }

    /** The port it listens on (the ephemeral one if asked for 0). */
    public int port() {
        return ((InetSocketAddress) server.address()).getPort();
    }

    /** The registry holding the daemon's meters (to add the JVM's own, say). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
        registry.close();
        resources.disposeLater(Duration.ZERO, Duration.ofSeconds(2)).block(Duration.ofSeconds(5));
    }

    private Publisher<Void> metrics(HttpServerResponse s) {
        // A scrape sees the engine as it is now, not up to a second ago: one snapshot through the loop.
        Mono<String> text = fresh().map(x -> registry.scrape())
                .onErrorResume(e -> Mono.fromCallable(registry::scrape));
        return s.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8").sendString(text);
    }

    /** The status the monitor's {@code status} command and the live view show. */
    static Map<String, Object> status(DaemonSnapshot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("daemon", s.daemonName());
        m.put("daemonId", s.daemonId());
        m.put("clustered", s.clustered());
        m.put("regular", s.regular());
        m.put("configurationId", Long.toHexString(s.configurationId()));
        m.put("members", s.memberNames());
        m.put("uptimeMillis", s.uptimeMillis());
        m.put("takenAtMillis", s.takenAtMillis());
        m.put("sessions", s.sessions().size());
        m.put("groups", s.groups());
        m.put("counters", s.counters());
        m.put("delivered", s.delivered());
        m.put("deliveredBytes", s.deliveredBytes());
        m.put("sessionsClosed", s.sessionsClosed());
        m.put("dropped", s.dropped());
        m.put("ringHeldMessages", s.ringHeldMessages());
        return m;
    }

    private <T> Publisher<Void> json(HttpServerResponse s, java.util.function.Function<DaemonSnapshot, T> view) {
        return s.header("Content-Type", "application/json")
                .sendString(fresh().map(x -> JSON.writeValueAsString(view.apply(x))));
    }

    /**
     * A snapshot taken now, continued off the engine thread: the snapshot completes there, and scraping or
     * writing JSON must not cost the engine's time.
     */
    private Mono<DaemonSnapshot> fresh() {
        return Mono.defer(() -> Mono.fromFuture(monitor.refresh())).publishOn(Schedulers.parallel());
    }

    private Publisher<Void> group(HttpServerRequest q, HttpServerResponse s) {
        String name = param(q, "name");
        return fresh().flatMap(x -> {
            DaemonSnapshot.GroupFigures g = name == null ? null : x.group(name);
            if (g == null) {
                return Mono.from(s.status(HttpResponseStatus.NOT_FOUND).sendString(Mono.just("no group " + name + "\n")));
            }
            return Mono.from(s.header("Content-Type", "application/json").sendString(Mono.just(JSON.writeValueAsString(g))));
        });
    }

    private Publisher<Void> events(HttpServerResponse s) {
        Flux<String> frames = Flux.interval(Duration.ZERO, DaemonMonitor.PERIOD)
                .concatMap(i -> fresh())
                .map(x -> "data: " + JSON.writeValueAsString(status(x)) + "\n\n");
        return s.header("Content-Type", "text/event-stream").header("Cache-Control", "no-cache").sendString(frames);
    }

    private Publisher<Void> isolate(HttpServerRequest q, HttpServerResponse s) {
        if (!options.allowFaultInjection()) {
            return s.status(HttpResponseStatus.FORBIDDEN)
                    .sendString(Mono.just("fault injection is off (admin.allowFaultInjection: true turns it on)\n"));
        }
        Set<Integer> ids = new HashSet<>();
        String list = param(q, "daemons");
        try {
            if (list != null && !list.isBlank()) {
                for (String x : list.split(",")) {
                    ids.add(Integer.parseInt(x.trim()));
                }
            }
        } catch (NumberFormatException e) {
            return s.status(HttpResponseStatus.BAD_REQUEST).sendString(Mono.just("daemons must be ids, as 2,3\n"));
        }
        if (!monitor.isolate(ids)) {
            return s.status(HttpResponseStatus.NOT_IMPLEMENTED)
                    .sendString(Mono.just("this daemon's network cannot inject a partition\n"));
        }
        log.warn("daemon {}: fault injection: datagrams to and from daemons {} dropped from now on",
                monitor.daemonName(), ids);
        return s.sendString(Mono.just(ids.isEmpty() ? "healed\n" : "isolated from " + ids + "\n"));
    }

    private static @Nullable String param(HttpServerRequest q, String name) {
        List<String> v = new io.netty.handler.codec.http.QueryStringDecoder(q.uri()).parameters().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** Runs {@code handler} if the request may see the daemon (always, when its security checks nothing). */
    private Publisher<Void> guarded(HttpServerRequest q, HttpServerResponse s,
            java.util.function.Supplier<Publisher<Void>> handler) {
        SessionSecurity security = monitor.security();
        if (security.checksNothing()) {
            return handler.get();
        }
        AuthRequest request = authRequest(q);
        return Mono.fromCallable(() -> allowed(security, request))
                .subscribeOn(Schedulers.boundedElastic()) // a password check is deliberately slow
                .flatMap(ok -> ok ? Mono.from(handler.get())
                        : Mono.from(s.status(HttpResponseStatus.UNAUTHORIZED)
                                .header("WWW-Authenticate", "Basic realm=\"consort\"")
                                .sendString(Mono.just("the daemon's session credentials are required\n"))));
    }

    private static boolean allowed(SessionSecurity security, @Nullable AuthRequest request) {
        if (request == null) {
            return false;
        }
        AuthOutcome o = security.authenticator().authenticate(request);
        if (!(o instanceof AuthOutcome.Authenticated a)) {
            return false;
        }
        Identity who = a.identity();
        return who.authenticated() && security.policy().allows(who, Permission.CONNECT, MONITOR_TARGET);
    }

    private static @Nullable AuthRequest authRequest(HttpServerRequest q) {
        String identity = null;
        byte[] secret = null;
        String h = q.requestHeaders().get("Authorization");
        if (h != null && h.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    identity = decoded.substring(0, colon);
                    secret = decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
                }
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        List<X509Certificate> peers = new ArrayList<>();
        if (q instanceof Connection c) {
            SslHandler ssl = c.channel().pipeline().get(SslHandler.class);
            if (ssl != null) {
                try {
                    for (Certificate cert : ssl.engine().getSession().getPeerCertificates()) {
                        if (cert instanceof X509Certificate x) {
                            peers.add(x);
                        }
                    }
                } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                    // no client certificate: passwords only
                }
            }
        }
        InetSocketAddress remote = q.remoteAddress();
        InetAddress from = remote == null ? InetAddress.getLoopbackAddress() : remote.getAddress();
        if (from == null) {
            from = InetAddress.getLoopbackAddress();
        }
        return new AuthRequest(identity == null ? MONITOR_TARGET : identity, identity, secret, peers, from);
    }
}

package io.consort.daemon;

import io.consort.daemon.security.ServerTlsContext;
import io.consort.daemon.security.SessionSecurity;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A daemon's session security while it runs: the current {@link SessionSecurity} (replaced on a
 * configuration reload), its loaded TLS context, the failed-login throttle, and the threads that
 * run authenticators (a password check takes tens of milliseconds, too long for an event loop).
 */
final class SecurityRuntime implements AutoCloseable {
    /** Logins waiting for an authentication thread; more are refused at once rather than queued without bound. */
    private static final int AUTH_QUEUE_MAX = 1024;

    private record State(SessionSecurity security, @Nullable ServerTlsContext tls, FailureThrottle throttle) {
    }

    private volatile State state;
    private @Nullable ExecutorService executor;
    private boolean closed;

    SecurityRuntime(SessionSecurity security) {
        this.state = build(security, null);
    }

    private static State build(SessionSecurity s, @Nullable State previous) {
        ServerTlsContext tls = null;
        if (s.tls() != null) {
            tls = previous != null && previous.tls() != null && previous.tls().config().equals(s.tls())
                    ? previous.tls() : ServerTlsContext.load(s.tls());
        }
        FailureThrottle throttle = previous != null && sameThrottle(previous.security(), s) ? previous.throttle()
                : new FailureThrottle(s.failureDelayMin().toNanos(), s.failureDelayMax().toNanos(), s.throttledAddressesMax());
        return new State(s, tls, throttle);
    }

    private static boolean sameThrottle(SessionSecurity a, SessionSecurity b) {
        return a.failureDelayMin().equals(b.failureDelayMin()) && a.failureDelayMax().equals(b.failureDelayMax())
                && a.throttledAddressesMax() == b.throttledAddressesMax();
    }

    /** Replaces the security for new connections and new requests; throws if the new TLS files do not load. */
    synchronized void update(SessionSecurity security) {
        state = build(Objects.requireNonNull(security, "security"), state);
    }

    SessionSecurity security() {
        return state.security();
    }

    FailureThrottle throttle() {
        return state.throttle();
    }

    /** The TLS handler for a new connection, or null without TLS. */
    @Nullable SslHandler newTlsHandler(Channel channel) {
        ServerTlsContext tls = state.tls();
        return tls == null ? null : tls.current().newHandler(channel.alloc());
    }

    /** The loaded TLS context now, or null (for tests: how many reloads happened). */
    @Nullable ServerTlsContext tls() {
        return state.tls();
    }

    /** The gate for a new connection, or null when the security checks nothing (then no gate runs at all). */
    @Nullable SessionGate newGate() {
        return state.security().checksNothing() ? null : new SessionGate(this);
    }

    /** Runs an authentication; false if too many are waiting already (or the daemon is closing). */
    boolean submitAuthentication(Runnable task) {
        ExecutorService e;
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (executor == null) {
                ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS,
                        new ArrayBlockingQueue<>(AUTH_QUEUE_MAX), r -> {
                            Thread t = new Thread(r, "consort-auth");
                            t.setDaemon(true);
                            return t;
                        });
                pool.allowCoreThreadTimeOut(true);
                executor = pool;
            }
            e = executor;
        }
        try {
            e.execute(task);
            return true;
        } catch (java.util.concurrent.RejectedExecutionException ex) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}

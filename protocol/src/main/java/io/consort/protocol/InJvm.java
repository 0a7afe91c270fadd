package io.consort.protocol;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalIoHandler;

/**
 * The in-JVM session transport's one thread: Netty's local channels, for sessions of an application that
 * hosts its daemon in its own process. Frames cross between the session and the daemon as buffers handed
 * from one end of a local channel to the other, with no TCP connection, no socket buffers and no system
 * calls; both ends run on this thread, and the daemon's engine loop is one hand-off away.
 *
 * <p>Local channels cannot register on the daemon's epoll (or NIO) loop, hence a thread of their own,
 * shared by every in-JVM session and endpoint of the process.
 */
public final class InJvm {
    private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1, r -> {
        Thread t = new Thread(r, "consort-injvm");
        t.setDaemon(true);
        return t;
    }, LocalIoHandler.newFactory());

    private InJvm() {
    }

    /** The event loop group local session channels (both ends) run on. */
    public static EventLoopGroup group() {
        return GROUP;
    }
}

package io.consort.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The datagram pipeline's seal: every {@link DatagramPacket} written is replaced by its sealed
 * form, and every one read is opened before the transport's inbound adapter sees it, or dropped
 * (counted by the {@link PacketSealer}). A drop is logged at WARN at most once a minute per reason,
 * with the count and the last source, so that a daemon holding the wrong key is visible in the logs
 * without a flood.
 *
 * <pre>{@code
 * pipeline.addLast(new SealingHandler(sealer), inboundAdapter);
 * }</pre>
 */
public final class SealingHandler extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(SealingHandler.class);
    private static final long LOG_INTERVAL_NANOS = 60_000_000_000L;

    private final PacketSealer sealer;
    private final Map<PacketSealer.Drop, Long> lastLoggedNanos = new EnumMap<>(PacketSealer.Drop.class);
    private final Map<PacketSealer.Drop, Long> loggedCount = new EnumMap<>(PacketSealer.Drop.class);

    /** A handler sealing and opening with {@code sealer}. */
    public SealingHandler(PacketSealer sealer) {
        this.sealer = Objects.requireNonNull(sealer, "sealer");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf plain;
        long before = sealer.droppedTotal();
        try {
            plain = sealer.open(ctx.alloc(), packet.content());
        } finally {
            packet.release();
        }
        if (plain == null) {
            if (sealer.droppedTotal() != before) {
                logDrop(packet);
            }
            return;
        }
        ctx.fireChannelRead(new DatagramPacket(plain, packet.recipient(), packet.sender()));
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof DatagramPacket packet)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf sealed;
        try {
            sealed = sealer.seal(ctx.alloc(), packet.content());
        } finally {
            packet.release();
        }
        if (sealed == null) {
            promise.trySuccess(); // not a transport packet: nothing of the engine's is lost
            return;
        }
        ctx.write(new DatagramPacket(sealed, packet.recipient()), promise);
    }

    private void logDrop(DatagramPacket packet) {
        long now = System.nanoTime();
        for (PacketSealer.Drop d : PacketSealer.Drop.values()) {
            long count = sealer.dropped(d);
            long logged = loggedCount.getOrDefault(d, 0L);
            Long last = lastLoggedNanos.get(d);
            if (count > logged && (last == null || now - last >= LOG_INTERVAL_NANOS)) {
                lastLoggedNanos.put(d, now);
                loggedCount.put(d, count);
                log.warn("daemon network: dropped {} packet(s) so far as {} (the last from {}){}", count, d,
                        packet.sender(), d == PacketSealer.Drop.FAILED_AUTHENTICATION || d == PacketSealer.Drop.UNKNOWN_KEY
                                ? "; a daemon with another cluster key?" : "");
            }
        }
    }
}

package io.consort.daemon;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import java.util.function.Consumer;

/**
 * Tells Consort's session protocol from Spread's on one port by the first byte a client sends,
 * then puts that protocol's handlers in its place. Both clients speak first: a Consort frame
 * starts with its big-endian length, whose first byte is 0 for any frame a daemon accepts; a
 * Spread connect message starts with the library's major version (3 or 4).
 */
final class ProtocolSniffer extends ChannelInboundHandlerAdapter {
    private final Consumer<ChannelPipeline> consort;
    private final Consumer<ChannelPipeline> spread;

    ProtocolSniffer(Consumer<ChannelPipeline> consort, Consumer<ChannelPipeline> spread) {
        this.consort = consort;
        this.spread = spread;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf b) || !b.isReadable()) {
            ctx.fireChannelRead(msg);
            return;
        }
        // Each installer puts its handlers before Reactor Netty's bridge, so after this one.
        ChannelPipeline p = ctx.pipeline();
        if (b.getByte(b.readerIndex()) == 0) {
            consort.accept(p);
        } else {
            spread.accept(p);
        }
        p.remove(this);
        ctx.fireChannelRead(msg);
    }
}

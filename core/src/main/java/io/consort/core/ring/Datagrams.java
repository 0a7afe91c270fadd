package io.consort.core.ring;

import io.consort.core.Output;
import io.consort.core.wire.Packet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A daemon's datagrams out: to one daemon, to all, and to itself (a ring of one passes the token
 * to itself), which are queued and handled on the next tick rather than re-entering the protocol.
 *
 * <pre>{@code
 * Datagrams net = new Datagrams(me);
 * net.send(successor, token);
 * net.broadcast(bytes);
 * net.takeOutputs(engineOutputs::add);
 * }</pre>
 */
public final class Datagrams {
    private final int me;
    private final List<Output> outputs = new ArrayList<>();
    private final ArrayDeque<byte[]> self = new ArrayDeque<>();

    public Datagrams(int me) {
        this.me = me;
    }

    /** Sends {@code p} to daemon {@code to}. */
    public void send(int to, Packet p) {
        byte[] bytes = p.encode();
        if (to == me) {
            self.add(bytes);
        } else {
            outputs.add(new Output.SendDatagram(to, bytes));
        }
    }

    /** Broadcasts an encoded packet to every other daemon. */
    public void broadcast(byte[] bytes) {
        outputs.add(new Output.BroadcastDatagram(bytes));
    }

    /** Whether packets to this daemon itself wait. */
    public boolean selfPending() {
        return !self.isEmpty();
    }

    /** How many packets to itself wait. */
    public int selfSize() {
        return self.size();
    }

    /** The oldest packet this daemon sent itself, or null. */
    public byte @Nullable [] pollSelf() {
        return self.poll();
    }

    /** Moves the datagrams to send to {@code out}. */
    public void takeOutputs(Consumer<? super Output> out) {
        for (Output o : outputs) {
            out.accept(o);
        }
        outputs.clear();
    }
}

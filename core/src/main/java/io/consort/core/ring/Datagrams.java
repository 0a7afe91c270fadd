package io.consort.core.ring;

import io.consort.core.Output;
import io.consort.core.wire.Header;
import io.consort.core.wire.Packet;
import io.consort.core.WireVersions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A daemon's datagrams out: to one daemon, to all, and to itself (a ring of one passes the token
 * to itself), which are queued and handled on the next tick rather than re-entering the protocol.
 * A ring's packets go out at its wire version ({@link #version(int)}); a daemon's announcements to
 * whoever may hear them (joins, beacons) at every version it speaks ({@link #announce}).
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
    private int version = Header.VERSION;

    public Datagrams(int me) {
        this.me = me;
    }

    /** The wire version of the ring this daemon forms or runs: what its packets are encoded at from now on. */
    public void version(int wireVersion) {
        this.version = wireVersion;
    }

    /** The wire version packets go out at. */
    public int version() {
        return version;
    }

    /** Sends {@code p} to daemon {@code to}, at the ring's version. */
    public void send(int to, Packet p) {
        byte[] bytes = p.encodeAt(version);
        if (to == me) {
            self.add(bytes);
        } else {
            outputs.add(new Output.SendDatagram(to, bytes));
        }
    }

    /** Broadcasts an encoded packet of the ring to every other daemon, stamped with the ring's version. */
    public void broadcast(byte[] bytes) {
        outputs.add(new Output.BroadcastDatagram(Header.stamp(bytes, version)));
    }

    /** Broadcasts {@code p} once at each of {@code versions}, newest first. */
    public void announce(Packet p, WireVersions versions) {
        for (int v = versions.max(); v >= versions.min(); v--) {
            outputs.add(new Output.BroadcastDatagram(p.encodeAt(v)));
        }
    }

    /** A line for the daemon's log ({@link Output.Notice}). */
    public void notice(String text) {
        outputs.add(new Output.Notice(text));
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

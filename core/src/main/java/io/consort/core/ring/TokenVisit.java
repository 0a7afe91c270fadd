package io.consort.core.ring;

import io.consort.core.wire.TokenPacket;
import java.util.ArrayList;
import java.util.List;

/**
 * One visit of the token at this daemon, as a function: the token in; the datagrams to broadcast
 * before and after passing it on, and the next token, out. It answers the retransmission requests
 * it can, multicasts new messages within {@link FlowControl}, asks for what this daemon misses,
 * and records what it holds. It changes only what it is given: the ring's bookkeeping and store,
 * and the source it takes messages from.
 *
 * <pre>{@code
 * TokenVisit.Result v = TokenVisit.visit(token, ring, outbox, false, flow, me, heardHere);
 * v.beforeToken().forEach(net::broadcast);
 * net.send(ring.successor(), v.next());
 * v.afterToken().forEach(net::broadcast);
 * }</pre>
 */
public final class TokenVisit {
    private TokenVisit() {
    }

    /**
     * The outcome of a visit.
     *
     * @param beforeToken retransmissions and new messages to broadcast before the token
     * @param next        the token to pass to the successor
     * @param afterToken  new messages to broadcast after it (the accelerated ring)
     * @param heard       the outside daemons every member hears, as of the rotation this visit closes
     * @param recovered   whether the token says every member finished recovery
     * @param asked       sequence numbers this daemon newly asked to be re-sent
     * @param answered    messages this daemon re-sent for the others' requests
     */
    public record Result(List<byte[]> beforeToken, TokenPacket next, List<byte[]> afterToken, List<Integer> heard,
            boolean recovered, int asked, int answered) {
    }

    /**
     * Daemon {@code me} handles token {@code t} of ring {@code r}, taking new messages from {@code source}.
     *
     * @param recovering whether the ring is the new one of a recovery (then the visit also tracks who is done)
     * @param heardHere  the outside daemons this daemon heard lately (MergeCandidates#heardRecently)
     */
    public static Result visit(TokenPacket t, RingState r, MessageSource source, boolean recovering, FlowControl flow,
            int me, List<Integer> heardHere) {
        long seq = t.seq();
        List<byte[]> before = new ArrayList<>();
        // 1. Answer the retransmission requests this daemon can.
        List<Long> rtr = new ArrayList<>(t.rtr().length);
        int retransmitted = 0;
        for (long want : t.rtr()) {
            if (Seq.le(want, t.aru())) {
                continue; // every member holds it already
            }
            MessageStore.Stored st = r.store.get(want);
            if (st != null) {
                before.add(st.raw());
                retransmitted++;
            } else if (!rtr.contains(want)) {
                rtr.add(want);
            }
        }
        // 2. Multicast new messages within the windows.
        int othersLastRotation = FlowControl.othersLastRotation(t.fcc(), r.sentLastVisit);
        long allowed = flow.allowed(seq, t.aru(), othersLastRotation, retransmitted);
        int sent = 0;
        List<byte[]> raws = new ArrayList<>();
        while (sent < allowed) {
            MessageStore.Stored m = source.nextMessage(me, r.id, seq + 1);
            if (m == null) {
                break;
            }
            seq++;
            r.store.add(m);
            raws.add(m.raw());
            sent++;
        }
        // Accelerated ring: the last few go out after the token, so the next holder starts sooner.
        int afterToken = flow.afterToken(raws.size());
        before.addAll(raws.subList(0, raws.size() - afterToken));
        List<byte[]> after = raws.subList(raws.size() - afterToken, raws.size());
        // 3. Ask for what this daemon misses. With the accelerated ring, messages above the seq the
        //    token had on this daemon's last visit may have been sent after it and still be in
        //    flight: they are asked for on the next visit, not at once.
        long askUpTo = flow.accelerated() > 0 ? Seq.min(seq, r.seqLastVisit) : seq;
        r.seqLastVisit = t.seq();
        int asked = 0;
        for (long s = r.store.aru() + 1; Seq.le(s, askUpTo) && rtr.size() < TokenPacket.MAX_RTR; s++) {
            if (!r.store.has(s) && !rtr.contains(s)) {
                rtr.add(s);
                asked++;
            }
        }
        // 4. Record what this daemon holds; the minimum over members is what all hold.
        long[] arus = t.memberArus().clone();
        arus[r.myIndex] = r.store.aru();
        boolean[] done = t.memberDone().clone();
        if (recovering && source.exhausted()) {
            done[r.myIndex] = true;
        }
        long min = arus[0];
        int minAt = 0;
        for (int i = 1; i < arus.length; i++) {
            if (Seq.lt(arus[i], min)) {
                min = arus[i];
                minAt = i;
            }
        }
        r.knownSafe = Seq.max(r.knownSafe, min);
        boolean recovered = t.recovered();
        if (recovering && !recovered && min == seq && rtr.isEmpty() && allTrue(done)) {
            recovered = true;
        }
        int backlog = Math.max(0, t.backlog() - r.backlogLastVisit) + source.backlog();
        r.backlogLastVisit = source.backlog();
        int fcc = othersLastRotation + sent + retransmitted;
        r.sentLastVisit = sent + retransmitted;
        long[] rtrArr = new long[rtr.size()];
        for (int i = 0; i < rtrArr.length; i++) {
            rtrArr[i] = rtr.get(i);
        }
        // Which other rings every member hears: the representative closes last rotation's tally and
        // opens the next with its own; each member narrows it to what it hears too.
        List<Integer> heard = r.myIndex == 0 ? MergeCandidates.both(t.hearing(), heardHere) : t.heard();
        List<Integer> hearing = r.myIndex == 0 ? heardHere : MergeCandidates.both(t.hearing(), heardHere);
        TokenPacket next = new TokenPacket(me, r.id, t.stamp() + 1, seq, min, min == seq ? -1 : r.members.get(minAt),
                fcc, backlog, recovered, arus, done, rtrArr, hearing, heard);
        return new Result(before, next, after, heard, recovered, asked, retransmitted);
    }

    private static boolean allTrue(boolean[] b) {
        for (boolean x : b) {
            if (!x) {
                return false;
            }
        }
        return true;
    }
}

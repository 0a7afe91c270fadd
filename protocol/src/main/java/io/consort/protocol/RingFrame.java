package io.consort.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The RING frame (daemon to client, session protocol 3 and later): where the session's daemon stands in
 * the ring. Layout (docs/PROTOCOL.md):
 *
 * <pre>
 * | phase u8 | configurationId i64 | daemon str | daemonId i32 | count u16 | count x (id i32, name str) |
 * phase: 0 GATHERING (no configuration: the ring is gathering, committing or recovering),
 *        1 TRANSITIONAL (a configuration is installed, group views are still settling),
 *        2 REGULAR
 * a later version may append fields; a reader ignores what follows the members
 * </pre>
 *
 * The daemon sends it once right after WELCOME and again on every change of phase, configuration or
 * members, so a client always holds the latest.
 *
 * <pre>{@code
 * RingFrame.encode(writer, new RingFrame(RingFrame.REGULAR, 0x688f1e16c2001L, "d1", 1, List.of(1, 2), List.of("d1", "d2")));
 * RingFrame f = RingFrame.decode(reader); // after the type byte was read
 * }</pre>
 *
 * @param phase           {@link #GATHERING}, {@link #TRANSITIONAL} or {@link #REGULAR}
 * @param configurationId the current configuration's id; while gathering, the last one's (0 before the first)
 * @param daemon          the session's daemon's name
 * @param daemonId        its id in the daemon network (0 for a daemon alone)
 * @param memberIds       the configuration's daemons in ring order (the token's path); empty while gathering
 * @param memberNames     their names, in the same order (a daemon whose name is not known here: its id)
 */
public record RingFrame(int phase, long configurationId, String daemon, int daemonId, List<Integer> memberIds,
        List<String> memberNames) {
    public static final int GATHERING = 0;
    public static final int TRANSITIONAL = 1;
    public static final int REGULAR = 2;

    public RingFrame {
        Objects.requireNonNull(daemon, "daemon");
        memberIds = List.copyOf(memberIds);
        memberNames = List.copyOf(memberNames);
        if (memberIds.size() != memberNames.size()) {
            throw new IllegalArgumentException("member ids " + memberIds + " and names " + memberNames + " differ in length");
        }
        if (phase < GATHERING || phase > REGULAR) {
            throw new IllegalArgumentException("phase " + phase);
        }
    }

    /** Writes this state as a RING frame. */
    public static void encode(FrameWriter w, RingFrame f) {
        w.begin(FrameType.RING).u8(f.phase).i64(f.configurationId).str(f.daemon).i32(f.daemonId)
                .u16(f.memberIds.size());
        for (int i = 0; i < f.memberIds.size(); i++) {
            w.i32(f.memberIds.get(i)).str(f.memberNames.get(i));
        }
        w.end();
    }

    /** Reads a RING frame's body (the type byte already read); fields a later version appends are left unread. */
    public static RingFrame decode(FrameReader r) {
        int phase = r.u8("phase");
        long id = r.i64("configurationId");
        String daemon = r.str("daemon");
        int daemonId = r.i32("daemonId");
        int n = r.u16("count");
        List<Integer> ids = new ArrayList<>(n);
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(r.i32("id"));
            names.add(r.str("name"));
        }
        // A phase a later version added is not one this reader can call regular.
        return new RingFrame(phase > REGULAR ? TRANSITIONAL : phase, id, daemon, daemonId, ids, names);
    }
}

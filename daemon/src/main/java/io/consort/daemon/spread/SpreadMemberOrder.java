package io.consort.daemon.spread;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The order in which a Spread 4.4 daemon lists a group's members (groups.c, {@code G_build_memb_buf}):
 * by daemon, in the order the daemons appear in the configuration, then by private name as
 * {@code strncmp} compares it. Daemons not in the configuration come after the others, by name
 * (Spread orders them by address, which a private name does not carry). It depends on the names
 * alone, so every member of a view, at every daemon, gets the same list.
 *
 * <pre>{@code
 * SpreadMemberOrder order = SpreadMemberOrder.of(List.of("d2", "d1"));
 * order.sort(List.of("#zoe#d1", "#amy#d1", "#bob#d2")); // [#bob#d2, #amy#d1, #zoe#d1]
 * }</pre>
 */
public final class SpreadMemberOrder implements Comparator<String> {
    private final Map<String, Integer> daemonIndex = new HashMap<>();
    private final List<String> daemons;

    private SpreadMemberOrder(List<String> daemons) {
        this.daemons = daemons;
        for (String d : daemons) {
            if (!d.isEmpty()) {
                daemonIndex.putIfAbsent(d, daemonIndex.size());
            }
        }
    }

    /**
     * The name of the daemon with id {@code id}: the one at position {@code id - 1} (a spread.conf's
     * daemons have the ids 1, 2, ... in file order; consortd puts a YAML network's daemons at their
     * ids' positions, "" where no daemon has the id); null if there is none.
     */
    @Nullable String daemonName(int id) {
        String name = id >= 1 && id <= daemons.size() ? daemons.get(id - 1) : null;
        return name == null || name.isEmpty() ? null : name;
    }

    /**
     * The order of a network whose daemons, in configuration order, are {@code daemonNames} (the
     * daemon with id i at position i - 1; "" for an id no daemon has).
     */
    public static SpreadMemberOrder of(List<String> daemonNames) {
        return new SpreadMemberOrder(List.copyOf(daemonNames));
    }

    @Override
    public int compare(String a, String b) {
        String da = daemonOf(a);
        String db = daemonOf(b);
        if (!da.equals(db)) {
            Integer ia = daemonIndex.get(da);
            Integer ib = daemonIndex.get(db);
            if (ia != null && ib != null) {
                return Integer.compare(ia, ib);
            }
            if (ia != null || ib != null) {
                return ia != null ? -1 : 1;
            }
            int c = bytewise(da, db);
            if (c != 0) {
                return c;
            }
        }
        return bytewise(a, b);
    }

    /** {@code members} in this order, as a new list. */
    public List<String> sort(List<String> members) {
        List<String> out = new ArrayList<>(members);
        out.sort(this);
        return out;
    }

    /** The daemon part of a private name {@code #user#daemon}; the whole name if it is not one. */
    static String daemonOf(String privateName) {
        int at = privateName.indexOf('#', 1);
        return at < 0 ? privateName : privateName.substring(at + 1);
    }

    /** strncmp over the bytes a Spread client gets (unsigned, as written by {@link SpreadWire#writeName}). */
    private static int bytewise(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.ISO_8859_1), b.getBytes(StandardCharsets.ISO_8859_1));
    }
}

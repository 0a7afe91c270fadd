package io.consort.core.membership;

import io.consort.core.WireVersions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The representative's choice of a new ring's wire version: of the versions it speaks, the one
 * that the most members speak, the highest of those on a tie; members that do not speak it are
 * not admitted. Members that all hear each other share a version (ranges that meet pairwise meet
 * in one point), so in practice nobody is left out; the rule only guards a gather that agreed on
 * members that never heard each other directly.
 *
 * <pre>{@code
 * WireVersionChoice c = WireVersionChoice.of(mine, gather.members(), gather::versionsOf, me);
 * c.version();   // 3 once every member speaks 3; 2 while one of them speaks only 2
 * c.excluded();  // members that speak nothing in common with the rest
 * }</pre>
 *
 * @param version  the version the ring runs at
 * @param excluded the members that do not speak it, ascending
 */
record WireVersionChoice(int version, List<Integer> excluded) {
    WireVersionChoice {
        excluded = List.copyOf(excluded);
    }

    static WireVersionChoice of(WireVersions mine, List<Integer> members, IntFunction<WireVersions> versionsOf,
            int me) {
        int best = mine.max();
        int bestCount = -1;
        for (int v = mine.max(); v >= mine.min(); v--) {
            int count = 0;
            for (int m : members) {
                if (m == me || versionsOf.apply(m).speaks(v)) {
                    count++;
                }
            }
            if (count > bestCount) {
                best = v;
                bestCount = count;
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int m : members) {
            if (m != me && !versionsOf.apply(m).speaks(best)) {
                out.add(m);
            }
        }
        return new WireVersionChoice(best, out);
    }
}

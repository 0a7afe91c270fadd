package io.consort.core;

import java.util.List;

/**
 * The transitional signal of EVS: the configuration changed, and what the member delivers until
 * the next regular view of {@code group} is the remainder of view {@code previous}.
 *
 * @param group    the group
 * @param previous the view that is ending
 * @param previousIndex that view's {@link ViewEvent#index()} (0: not counted)
 * @param daemons  the daemon ids of the transitional configuration, the daemons that go through the
 *                 change together with this one (empty: not known); which of the group's daemons
 *                 are leaving follows, as a Spread daemon knows it (Spread's endpoint needs it)
 */
public record TransitionalEvent(String group, ViewId previous, int previousIndex, List<Integer> daemons)
        implements Event {
    public TransitionalEvent {
        daemons = List.copyOf(daemons);
    }

    /** A signal without the transitional configuration's daemons. */
    public TransitionalEvent(String group, ViewId previous, int previousIndex) {
        this(group, previous, previousIndex, List.of());
    }

    /** A signal whose view's change is not counted. */
    public TransitionalEvent(String group, ViewId previous) {
        this(group, previous, 0);
    }

    /** Without the index, which follows from the views before: the simulator's digests print signals so. */
    @Override
    public String toString() {
        return "TransitionalEvent[group=" + group + ", previous=" + previous + "]";
    }

    @Override
    public int sizeBytes() {
        return 64;
    }
}

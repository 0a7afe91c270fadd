package io.consort.core;

/**
 * The transitional signal of EVS: the configuration changed, and what the member delivers until
 * the next regular view of {@code group} is the remainder of view {@code previous}.
 *
 * @param group    the group
 * @param previous the view that is ending
 * @param previousIndex that view's {@link ViewEvent#index()} (0: not counted)
 */
public record TransitionalEvent(String group, ViewId previous, int previousIndex) implements Event {
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

package io.consort.core;

/**
 * The transitional signal of EVS: the configuration changed, and what the member delivers until
 * the next regular view of {@code group} is the remainder of view {@code previous}.
 *
 * @param group    the group
 * @param previous the view that is ending
 */
public record TransitionalEvent(String group, ViewId previous) implements Event {
    @Override
    public int sizeBytes() {
        return 64;
    }
}

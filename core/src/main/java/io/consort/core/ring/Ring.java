package io.consort.core.ring;

/**
 * Orders the items daemons submit. Items of one daemon come out in the order it submitted them.
 * Implementations are pure: they are driven by the engine and never block or call back during
 * {@link #submit}; ordered items come out only from {@link #drainTo}.
 */
public interface Ring {
    /** Submits an item of this daemon for ordering. */
    void submit(AgreedItem item);

    /** Hands every item that is now in order to the sink; returns how many. */
    int drainTo(OrderedSink sink);

    /** The id of the current configuration. */
    long configurationId();
}

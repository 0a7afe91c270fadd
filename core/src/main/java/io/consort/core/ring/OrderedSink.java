package io.consort.core.ring;

/** Receives the agreed stream in order: the same items in the same order at every daemon of a configuration. */
public interface OrderedSink {
    /**
     * The next item of the agreed stream.
     *
     * @param configurationId the configuration the item was ordered in
     * @param sequence        its position in that configuration's order
     * @param item            the item
     */
    void deliver(long configurationId, long sequence, AgreedItem item);

    /**
     * The configuration {@code oldConfigurationId} ended: the items that follow, until
     * {@link #regular}, are its remainder, delivered in the transitional configuration of the
     * daemons in {@code transitionalDaemons} (those that came from it into the new configuration).
     * Those items carry the transitional configuration's own id (never a ring's id), since each
     * transitional configuration may deliver a different part of the old one's messages.
     * Rings of one never call this.
     */
    default void transitional(long oldConfigurationId, long newConfigurationId, java.util.List<Integer> transitionalDaemons) {
    }

    /** The regular configuration {@code configurationId} of {@code daemons} (ring order) is installed. */
    default void regular(long configurationId, java.util.List<Integer> daemons) {
    }
}

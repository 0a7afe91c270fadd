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
}

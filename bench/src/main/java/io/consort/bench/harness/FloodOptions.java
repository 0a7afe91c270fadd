package io.consort.bench.harness;

import picocli.CommandLine.Option;

/**
 * What one member process floods and expects, the same for Consort and JGroups members (a picocli
 * mixin): so both sides of a comparison are configured, paced, tagged and checked alike.
 */
final class FloodOptions {
    @Option(names = "--warmup", defaultValue = "200000")
    long warmup;

    @Option(names = "--count", defaultValue = "1000000")
    long count;

    @Option(names = "--size", defaultValue = "1000")
    int size;

    @Option(names = "--rate", defaultValue = "0", description = "Offered msgs/s for the latency mode; 0 is flat out.")
    long rate;

    /** Messages each sender sends: the warm-up, then the measured ones. */
    long perSender() {
        return warmup + count;
    }

    /** The checks of a receiver of {@code senders} senders' floods. */
    ReceiverStats receiverStats(int senders) {
        return new ReceiverStats(warmup, count, size, senders);
    }

    /** The paced payload of message {@code i} of sender {@code index}. */
    byte[] payload(int index, long i, Pacer pacer) {
        return Payload.make(Payload.tag(index, i), pacer.stamp(i), size);
    }
}

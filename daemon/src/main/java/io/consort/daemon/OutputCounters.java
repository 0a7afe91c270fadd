package io.consort.daemon;

import io.consort.core.ErrorCode;
import io.consort.core.MessageEvent;
import io.consort.core.Output;
import io.consort.core.ServiceLevel;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Counts what the engine hands to sessions (messages delivered by service level, sessions closed by
 * reason), on the engine thread, as the outputs pass to the dispatcher. Outside the engine because
 * the outputs already say it all: the engine need not count twice.
 */
final class OutputCounters {
    private final long[] delivered = new long[ServiceLevel.values().length];
    private final long[] deliveredBytes = new long[ServiceLevel.values().length];
    private final long[] closed = new long[ErrorCode.values().length];
    private long closedCleanly;

    /** On the engine thread: one batch of outputs. */
    void observe(List<Output> outputs) {
        for (Output o : outputs) {
            if (o instanceof Output.Deliver d && d.event() instanceof MessageEvent m) {
                delivered[m.level().ordinal()]++;
                deliveredBytes[m.level().ordinal()] += m.payload().length;
            } else if (o instanceof Output.CloseSession c) {
                ErrorCode code = c.code();
                if (code == null) {
                    closedCleanly++;
                } else {
                    closed[code.ordinal()]++;
                }
            }
        }
    }

    Map<ServiceLevel, Long> delivered() {
        return byLevel(delivered);
    }

    Map<ServiceLevel, Long> deliveredBytes() {
        return byLevel(deliveredBytes);
    }

    /** Sessions the daemon closed, by reason (lower case error code names; "none" for a close without one). */
    Map<String, Long> closed() {
        Map<String, Long> m = new java.util.TreeMap<>();
        for (ErrorCode c : ErrorCode.values()) {
            m.put(c.name().toLowerCase(java.util.Locale.ROOT), closed[c.ordinal()]);
        }
        m.put("none", closedCleanly);
        return m;
    }

    private static Map<ServiceLevel, Long> byLevel(long[] counts) {
        Map<ServiceLevel, Long> m = new EnumMap<>(ServiceLevel.class);
        for (ServiceLevel l : ServiceLevel.values()) {
            m.put(l, counts[l.ordinal()]);
        }
        return m;
    }
}

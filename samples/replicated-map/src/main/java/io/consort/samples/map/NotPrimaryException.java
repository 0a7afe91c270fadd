package io.consort.samples.map;

import java.util.Objects;

/**
 * A write to a {@link ReplicatedMap} that this replica did not acknowledge because its component of the
 * network is not (or stopped being) the primary one: retry it, later or at another replica.
 *
 * <p>{@link #sent()} tells the two cases apart. A write refused before it was sent was applied nowhere. A write
 * that was sent and then caught by a change of the component (delivered where it was not primary, or applied
 * while the component was ending) is <i>in doubt</i>: another component that became primary may have applied
 * it. Retrying an in-doubt put or remove is harmless when the same value is meant either way.
 *
 * <pre>{@code
 * map.put("apples", "12")
 *    .retryWhen(Retry.backoff(10, Duration.ofMillis(50)).filter(NotPrimaryException.class::isInstance))
 *    .block();
 * }</pre>
 */
public final class NotPrimaryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String group;
    private final boolean sent;

    NotPrimaryException(String group, boolean sent) {
        super("replicated map '" + Objects.requireNonNull(group, "group") + "': "
                + (sent ? "the component changed before the write could be acknowledged; it is in doubt (another "
                        + "component may have applied it), retry it"
                        : "this replica is not in a primary component (a majority of the replicas); retry later"));
        this.group = group;
        this.sent = sent;
    }

    /** The map's group. */
    public String group() {
        return group;
    }

    /** Whether the write had been sent, so that it may have been applied elsewhere (in doubt). */
    public boolean sent() {
        return sent;
    }
}

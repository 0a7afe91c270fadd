package io.consort.samples.map;

import io.consort.core.ViewId;
import io.consort.reactive.PayloadCodec;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What replicas multicast to each other, as JSON; the Consort message type says which record it is.
 *
 * <pre>{@code
 * OutgoingMessage.to(group).type(MapCommand.UPDATE_TYPE).payload(new Update("#a#d:1", "k", "v"), UPDATES);
 * }</pre>
 */
sealed interface MapCommand {
    int UPDATE_TYPE = 1;
    int SNAPSHOT_TYPE = 2;
    int STATUS_TYPE = 3;
    PayloadCodec<Update> UPDATES = PayloadCodec.json(Update.class);
    PayloadCodec<Snapshot> SNAPSHOTS = PayloadCodec.json(Snapshot.class);
    PayloadCodec<Status> STATUSES = PayloadCodec.json(Status.class);

    /**
     * Set {@code key} to {@code value}, or remove it when {@code value} is null.
     *
     * @param id unique per update ({@code privateName:counter}), so the writer knows when its own was applied
     */
    record Update(String id, String key, @Nullable String value) implements MapCommand {
    }

    /**
     * The whole state as it stood at the cut, for {@code recipients}: right after view {@code cut} and the
     * {@code cutOffset} group events that followed it in the group's order. A recipient drops what it
     * buffered up to the cut and replays the rest: no gap, no duplicate.
     *
     * @param epoch   the primary epoch the state belongs to (see {@link Status})
     * @param primary whether the component was primary at the cut, so the recipient applies writes or not
     */
    record Snapshot(long cutConfiguration, long cutSequence, int cutOffset, List<String> recipients, long version,
            long epoch, boolean primary, Map<String, String> entries, List<String> pending) implements MapCommand {
        ViewId cut() {
            return new ViewId(cutConfiguration, cutSequence);
        }
    }

    /**
     * What one replica holds, announced by every member at a NETWORK view so that all of them pick the same
     * state to go on with: the one of the highest {@code epoch} (the number of primary views its history went
     * through), then the highest {@code version}.
     *
     * @param hasState false for a replica that never received the state (a joiner still waiting)
     * @param settled  whether it was applying (not waiting for a snapshot) when the view came
     */
    record Status(long viewConfiguration, long viewSequence, boolean hasState, boolean settled, long epoch,
            long version)
            implements MapCommand {
        ViewId view() {
            return new ViewId(viewConfiguration, viewSequence);
        }
    }
}

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
    PayloadCodec<Update> UPDATES = PayloadCodec.json(Update.class);
    PayloadCodec<Snapshot> SNAPSHOTS = PayloadCodec.json(Snapshot.class);

    /**
     * Set {@code key} to {@code value}, or remove it when {@code value} is null.
     *
     * @param id unique per update ({@code privateName:counter}), so the writer knows when its own was applied
     */
    record Update(String id, String key, @Nullable String value) implements MapCommand {
    }

    /**
     * The whole state as it stood right after view {@code cut} in the group's order, for {@code recipients}.
     * A recipient drops what it buffered up to that view and replays the rest: no gap, no duplicate.
     */
    record Snapshot(long cutConfiguration, long cutSequence, List<String> recipients, long version,
            Map<String, String> entries, List<String> pending) implements MapCommand {
        ViewId cut() {
            return new ViewId(cutConfiguration, cutSequence);
        }
    }
}

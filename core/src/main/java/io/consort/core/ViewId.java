package io.consort.core;

/**
 * The unique id of a group view: the configuration in which it was installed and the position
 * in that configuration's agreed order of the change that installed it. Every daemon computes the
 * same id for the same view. Ids are unique within a group; one change that touches several
 * groups (a session disconnecting from all of them) gives each group's new view the same id.
 *
 * <pre>{@code
 * Map<String, ViewId> current = new ConcurrentHashMap<>();
 * session.views("chat").subscribe(v -> current.put(v.group(), v.id()));
 * }</pre>
 *
 * @param configurationId the id of the daemon configuration (ring) the view was installed in
 * @param sequence        the agreed sequence number of the change
 */
public record ViewId(long configurationId, long sequence) implements Comparable<ViewId> {
    @Override
    public int compareTo(ViewId o) {
        int c = Long.compare(configurationId, o.configurationId);
        return c != 0 ? c : Long.compare(sequence, o.sequence);
    }

    @Override
    public String toString() {
        return configurationId + "." + sequence;
    }
}

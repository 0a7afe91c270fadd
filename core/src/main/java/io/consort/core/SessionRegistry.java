package io.consort.core;

import io.consort.core.session.ClientSession;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The daemon's connected sessions, by connection id (in connection order) and by private name. */
final class SessionRegistry {
    private final Map<Long, ClientSession> byId = new LinkedHashMap<>();
    private final Map<String, ClientSession> byName = new HashMap<>();

    @Nullable ClientSession get(long sessionId) {
        return byId.get(sessionId);
    }

    @Nullable ClientSession named(String privateName) {
        return byName.get(privateName);
    }

    boolean hasId(long sessionId) {
        return byId.containsKey(sessionId);
    }

    boolean hasName(String privateName) {
        return byName.containsKey(privateName);
    }

    void add(ClientSession s) {
        byId.put(s.id(), s);
        byName.put(s.privateName(), s);
    }

    void remove(ClientSession s) {
        byId.remove(s.id());
        byName.remove(s.privateName());
    }

    int size() {
        return byId.size();
    }

    /** Every session in connection order (a live view: copy it to remove while iterating). */
    Collection<ClientSession> all() {
        return byId.values();
    }

    long totalBufferedBytes() {
        long sum = 0;
        for (ClientSession s : byId.values()) {
            sum += s.bufferedBytes();
        }
        return sum;
    }

    /** Fail-stop: the two indexes agree, and every session's own bookkeeping holds. */
    void checkInvariants() {
        if (byId.size() != byName.size()) {
            throw new IllegalStateException("session registry inconsistent: " + byId.size() + " by id, "
                    + byName.size() + " by name");
        }
        for (ClientSession s : byId.values()) {
            s.checkInvariants();
        }
    }
}

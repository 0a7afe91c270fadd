package io.consort.daemon;

import io.consort.core.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each new regular configuration at INFO, one line: its id, its daemons, who came and who went,
 * and why the change began. Runs on the engine thread after every batch, where a configuration id
 * comparison costs nothing; an operator greps one logger ({@code io.consort.membership}) for the ring's
 * history.
 */
final class MembershipLog {
    static final String LOGGER = "io.consort.membership";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private final String self;
    private final Supplier<Map<Integer, String>> names;
    private long lastId = -1;
    private List<Integer> lastMembers = List.of();

    MembershipLog(String self, Supplier<Map<Integer, String>> names) {
        this.self = self;
        this.names = names;
    }

    /** On the engine thread, after a batch. */
    void afterBatch(Engine engine, boolean clustered) {
        long id = engine.configurationId();
        if (id == lastId) {
            return;
        }
        List<Integer> members = engine.configurationMembers();
        if (clustered && members.isEmpty()) {
            return; // between configurations: logged once the regular one is installed
        }
        lastId = id;
        if (!log.isInfoEnabled()) {
            lastMembers = List.copyOf(members);
            return;
        }
        List<Integer> came = new ArrayList<>(members);
        came.removeAll(lastMembers);
        List<Integer> went = new ArrayList<>(lastMembers);
        went.removeAll(members);
        String cause = engine.counters().lastGatherCause().name().toLowerCase(Locale.ROOT);
        boolean first = lastMembers.isEmpty();
        lastMembers = List.copyOf(members);
        Map<Integer, String> n = names.get();
        if (!clustered) {
            log.info("daemon {}: configuration {} regular, alone", self, Long.toHexString(id));
            return;
        }
        log.info("daemon {}: configuration {} regular: daemons {}; came {}; went {}; because {}", self,
                Long.toHexString(id), describe(members, n), describe(first ? List.of() : came, n), describe(went, n),
                first ? "start" : cause);
    }

    private static String describe(List<Integer> ids, Map<Integer, String> names) {
        List<String> out = new ArrayList<>(ids.size());
        for (int id : ids) {
            String n = names.get(id);
            out.add(n == null ? Integer.toString(id) : n + "(" + id + ")");
        }
        return out.toString();
    }
}

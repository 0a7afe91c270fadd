package io.consort.core.sim;

import io.consort.core.MessageEvent;
import io.consort.core.ServiceLevel;
import io.consort.core.TransitionalEvent;
import io.consort.core.ViewEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Session logs recorded by real clients (of real daemon processes), checked by the simulator's
 * {@link InvariantChecker}. Lives in the checker's package (through core's test-jar) so the checker
 * stays package-private. Thread-safe per log: each log is written by one client's callbacks.
 */
public final class RecordedLogs {
    private final Map<Long, SessionLog.Message> sent = new ConcurrentHashMap<>();
    private final List<SessionLog> logs = new ArrayList<>();

    /** One session's log. */
    public final class Log {
        private final SessionLog log;

        private Log(SessionLog log) {
            this.log = log;
        }

        public synchronized void sent(long msgId, List<String> groups, ServiceLevel level, boolean selfDiscard) {
            sent.put(msgId, new SessionLog.Message(msgId, log.name, List.copyOf(groups), level, selfDiscard));
            log.entries.add(new SessionLog.Sent(msgId));
        }

        public synchronized void delivered(long msgId, MessageEvent event) {
            log.entries.add(new SessionLog.Delivered(msgId, event));
        }

        public synchronized void view(ViewEvent view) {
            log.entries.add(new SessionLog.View(view));
        }

        public synchronized void transitional(TransitionalEvent signal) {
            log.entries.add(new SessionLog.Transitional(signal));
        }

        /** The session's daemon was killed: its log ends there. */
        public synchronized void crashed() {
            log.end = SessionLog.End.CRASHED;
        }

        /** The session closed itself. */
        public synchronized void closed() {
            if (log.end == SessionLog.End.ALIVE) {
                log.end = SessionLog.End.DISCONNECTED;
            }
        }

        public synchronized int size() {
            return log.entries.size();
        }
    }

    /** A new log for session {@code privateName} of daemon {@code daemon}. */
    public synchronized Log log(String privateName, int daemon) {
        SessionLog l = new SessionLog(privateName, daemon);
        logs.add(l);
        return new Log(l);
    }

    /** Every violation of SPEC.md's invariants 1 to 8 over all logs, as text. */
    public synchronized List<String> violations() {
        List<String> out = new ArrayList<>();
        for (InvariantChecker.Violation v : InvariantChecker.check(logs, sent)) {
            out.add(v.toString());
        }
        return out;
    }

    /** How many deliveries all logs hold together. */
    public synchronized long deliveries() {
        return logs.stream().flatMap(l -> l.entries.stream()).filter(e -> e instanceof SessionLog.Delivered).count();
    }
}

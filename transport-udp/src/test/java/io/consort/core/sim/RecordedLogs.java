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
    private final List<Log> wrappers = new ArrayList<>();

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
        Log w = new Log(l);
        wrappers.add(w);
        return w;
    }

    /** A copy of every log, each taken under its writer's lock: clients may still be receiving. */
    private List<SessionLog> snapshot() {
        List<SessionLog> copy = new ArrayList<>();
        for (Log w : wrappers) {
            synchronized (w) {
                SessionLog c = new SessionLog(w.log.name, w.log.daemon);
                c.entries.addAll(w.log.entries);
                c.end = w.log.end;
                copy.add(c);
            }
        }
        return copy;
    }

    /** Every violation of SPEC.md's invariants 1 to 8 over all logs, as text. */
    public synchronized List<String> violations() {
        List<String> out = new ArrayList<>();
        for (InvariantChecker.Violation v : InvariantChecker.check(snapshot(), sent)) {
            out.add(v.toString());
        }
        return out;
    }

    /**
     * Liveness once traffic stopped: live sessions that share their last view of a group delivered
     * the same messages since it ({@link InvariantChecker#checkQuiescent}).
     */
    public synchronized List<String> quiescenceViolations() {
        List<String> out = new ArrayList<>();
        for (InvariantChecker.Violation v : InvariantChecker.checkQuiescent(snapshot(), sent)) {
            out.add(v.toString());
        }
        return out;
    }

    /**
     * Whether EVS allows {@code receiver} never to get message {@code msgId} of {@code group} that
     * {@code sender} delivered: it was delivered in a transitional configuration whose closing view
     * shows the two did not move together ({@link InvariantChecker#gapAllowedByEvs}).
     */
    public synchronized boolean gapAllowedByEvs(String sender, String receiver, long msgId, String group) {
        for (Log w : wrappers) {
            if (w.log.name.equals(sender)) {
                synchronized (w) {
                    return InvariantChecker.gapAllowedByEvs(w.log, receiver, msgId, group);
                }
            }
        }
        return false;
    }

    /** How many messages were sent (recorded as sent) in all. */
    public long messages() {
        return sent.size();
    }

    /** How many session logs there are. */
    public synchronized int sessions() {
        return wrappers.size();
    }

    /**
     * Writes every log to {@code file}, one entry a line, each session's entries in the order that
     * session saw them: for reading a failure after the run.
     */
    public synchronized void write(java.nio.file.Path file) throws java.io.IOException {
        try (var w = java.nio.file.Files.newBufferedWriter(file)) {
            for (SessionLog l : snapshot()) {
                w.write("session " + l + "\n");
                for (SessionLog.Entry e : l.entries) {
                    if (e instanceof SessionLog.Sent s) {
                        w.write("  sent " + sent.get(s.msgId()) + "\n");
                    } else if (e instanceof SessionLog.Delivered d) {
                        w.write("  delivered " + d.msgId() + " " + InvariantChecker.describe(d.event()) + "\n");
                    } else {
                        w.write("  " + e + "\n");
                    }
                }
            }
        }
    }

    /** How many deliveries all logs hold together. */
    public synchronized long deliveries() {
        return snapshot().stream().flatMap(l -> l.entries.stream()).filter(e -> e instanceof SessionLog.Delivered).count();
    }
}

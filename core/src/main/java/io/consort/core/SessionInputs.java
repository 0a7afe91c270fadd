package io.consort.core;

import io.consort.core.ring.AgreedItem;
import io.consort.core.ring.Ring;
import io.consort.core.session.ClientSession;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The engine's answer to a session's inputs (connect, streams, credits, requests, goodbye): each is
 * checked here, so a bad request fails alone (a {@link Output.RequestFailed}) and a broken session
 * is closed (a {@link Output.CloseSession}), whichever driver passed it in.
 *
 * <pre>{@code
 * if (inputs.apply(new Input.Join(1, 7, "chat"))) { engine.settle(now); }
 * }</pre>
 */
final class SessionInputs {
    private final EngineConfig config;
    private final SessionRegistry sessions;
    private final RequestTracker requests;
    private final BufferPolicy policy;
    private final Ring ring;
    private final Consumer<Output> out;
    /** Multicasts accepted and their payload bytes, by service level (for metrics). */
    private final long[] messagesIn = new long[ServiceLevel.values().length];
    private final long[] bytesIn = new long[ServiceLevel.values().length];
    /** {@link #shutdown} ran: no new sessions. */
    private boolean shuttingDown;

    SessionInputs(EngineConfig config, SessionRegistry sessions, RequestTracker requests, BufferPolicy policy,
            Ring ring, Consumer<Output> out) {
        this.config = config;
        this.sessions = sessions;
        this.requests = requests;
        this.policy = policy;
        this.ring = ring;
        this.out = out;
    }

    /**
     * Applies a session's input; returns whether the engine must settle the ring after it (an input
     * that changed nothing the ring or a stream sees needs no settling, and skipping it keeps the
     * engine's timing what the simulator's digests record).
     */
    boolean apply(Input input) {
        if (input instanceof Input.Connect c) {
            connect(c);
            return false;
        }
        if (input instanceof Input.Multicast m) {
            return multicast(m);
        }
        long sessionId = sessionOf(input);
        ClientSession s = sessions.get(sessionId);
        if (s == null) {
            return false;
        }
        if (input instanceof Input.Subscribe sub) {
            try {
                StreamFilter filter = sub.filter();
                if (filter.group() != null) {
                    Names.checkDestination(filter.group(), config.maxGroupNameBytes());
                }
                s.subscribe(sub.streamId(), filter);
            } catch (ConsortException e) {
                closeForCause(s, e.code(), e.getMessage());
            }
        } else if (input instanceof Input.Cancel c) {
            s.cancel(c.streamId());
        } else if (input instanceof Input.Credit c) {
            try {
                s.credit(c.streamId(), c.credits(), out);
            } catch (ConsortException e) {
                closeForCause(s, e.code(), e.getMessage());
            }
        } else if (input instanceof Input.Writable w) {
            s.writable(w.writable(), out);
        } else if (input instanceof Input.Join j) {
            return membershipRequest(s, j.requestId(), j.group(), name -> new AgreedItem.Join(name, j.group()));
        } else if (input instanceof Input.Leave l) {
            return membershipRequest(s, l.requestId(), l.group(), name -> new AgreedItem.Leave(name, l.group()));
        } else if (input instanceof Input.Disconnect d) {
            remove(s, d.clean());
        } else {
            throw new IllegalArgumentException("not a session input: " + input);
        }
        return true;
    }

    private static long sessionOf(Input input) {
        if (input instanceof Input.Subscribe i) {
            return i.sessionId();
        } else if (input instanceof Input.Cancel i) {
            return i.sessionId();
        } else if (input instanceof Input.Credit i) {
            return i.sessionId();
        } else if (input instanceof Input.Writable i) {
            return i.sessionId();
        } else if (input instanceof Input.Join i) {
            return i.sessionId();
        } else if (input instanceof Input.Leave i) {
            return i.sessionId();
        } else if (input instanceof Input.Disconnect i) {
            return i.sessionId();
        }
        throw new IllegalArgumentException("not a session input: " + input);
    }

    private void connect(Input.Connect c) {
        if (sessions.hasId(c.sessionId())) {
            // Session ids come from the driver, never from the wire: a repeat is the driver's bug.
            throw new IllegalArgumentException("session id " + c.sessionId() + " is already in use");
        }
        Output.CloseSession refusal = Admission.refusal(c.sessionId(), c.user(), config, sessions, shuttingDown);
        if (refusal != null) {
            out.accept(refusal);
            return;
        }
        String name = Names.privateName(c.user(), config.daemonName());
        sessions.add(new ClientSession(c.sessionId(), name, config.sendWindowMessages()));
        out.accept(new Output.SessionAccepted(c.sessionId(), name, config.sendWindowMessages(),
                config.maxMessageBytes()));
    }

    /** Checks the group name, then orders the session's join or leave; a bad name fails only the request. */
    private boolean membershipRequest(ClientSession s, int requestId, String group,
            Function<String, AgreedItem> item) {
        try {
            Names.checkGroup(group, config.maxGroupNameBytes());
        } catch (ConsortException e) {
            out.accept(new Output.RequestFailed(s.id(), requestId, e.code(), e.getMessage()));
            return false;
        }
        submit(s, item.apply(s.privateName()), new RequestTracker.Pending(requestId, false, 0));
        return true;
    }

    private boolean multicast(Input.Multicast m) {
        ClientSession s = sessions.get(m.sessionId());
        if (s == null) {
            return false;
        }
        ServiceLevel level;
        try {
            level = ServiceLevel.fromCode(m.level());
        } catch (ConsortException e) {
            // Checked before the credit is spent: the client's refund on FAILED keeps both sides in step.
            out.accept(new Output.RequestFailed(m.sessionId(), m.requestId(), e.code(), e.getMessage()));
            return false;
        }
        try {
            s.takeSendCredit();
        } catch (ConsortException e) {
            closeForCause(s, e.code(), e.getMessage());
            return true;
        }
        List<String> groupList;
        try {
            groupList = Admission.checkMulticast(config, m.destinations(), m.type(), m.payload());
        } catch (ConsortException e) {
            s.refusedMulticast();
            out.accept(new Output.RequestFailed(m.sessionId(), m.requestId(), e.code(), e.getMessage()));
            return false;
        }
        byte[] payload = m.payload();
        submit(s, new AgreedItem.Data(s.privateName(), groupList, level, m.type(), m.selfDiscard(), payload,
                WireVersions.carriesItemsInParts(ring.wireVersion()) ? m.originBits() : 0),
                new RequestTracker.Pending(m.requestId(), true, payload.length));
        s.submittedMulticast(payload.length);
        messagesIn[level.ordinal()]++;
        bytesIn[level.ordinal()] += payload.length;
        policy.readingWindow(s, out);
        return true;
    }

    /**
     * Tells every session the daemon shuts down and closes it (the others see LEAVE); returns false
     * if a shutdown already ran.
     */
    boolean shutdown() {
        if (shuttingDown) {
            return false;
        }
        shuttingDown = true;
        for (ClientSession s : new ArrayList<>(sessions.all())) {
            out.accept(new Output.CloseSession(s.id(), ErrorCode.DAEMON_SHUTDOWN,
                    "daemon " + config.daemonName() + " is shutting down"));
            remove(s, true);
        }
        return true;
    }

    boolean shuttingDown() {
        return shuttingDown;
    }

    private void submit(ClientSession s, AgreedItem item, RequestTracker.Pending pending) {
        requests.submitted(s.privateName(), pending);
        ring.submit(item);
    }

    void closeForCause(ClientSession s, ErrorCode code, String reason) {
        out.accept(new Output.CloseSession(s.id(), code, reason));
        remove(s, false);
    }

    private void remove(ClientSession s, boolean clean) {
        sessions.remove(s);
        policy.forget(s);
        ring.submit(new AgreedItem.Disconnect(s.privateName(), clean));
    }

    /** Multicasts accepted so far, by {@link ServiceLevel#ordinal()} (the engine's own array: read on its thread). */
    long[] messagesIn() {
        return messagesIn;
    }

    /** Payload bytes of the multicasts accepted so far, by {@link ServiceLevel#ordinal()}. */
    long[] bytesIn() {
        return bytesIn;
    }
}

package io.consort.core;

import io.consort.core.groups.GroupTable;
import io.consort.core.ring.AgreedItem;
import io.consort.core.session.ClientSession;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The agreed stream applied: each item in order becomes views and deliveries to the local
 * receivers (a message to each member once, a join or leave to a new view of its group, a
 * disconnect to a view of each group the session was in), and answers the local requests it
 * completes. The same stream gives the same groups at every daemon.
 */
final class GroupStateMachine {
    private final GroupTable groups;
    private final SessionRegistry sessions;
    private final RequestTracker requests;
    private final BufferPolicy policy;
    private final ConfigurationChange change;
    private final Consumer<Output> out;
    private long lastConfiguration = Long.MIN_VALUE;
    private long lastSequence;

    GroupStateMachine(GroupTable groups, SessionRegistry sessions, RequestTracker requests, BufferPolicy policy,
            ConfigurationChange change, Consumer<Output> out) {
        this.groups = groups;
        this.sessions = sessions;
        this.requests = requests;
        this.policy = policy;
        this.change = change;
        this.out = out;
    }

    /** Item {@code sequence} of configuration {@code configurationId} came out of the agreed stream. */
    void onOrdered(long configurationId, long sequence, AgreedItem item) {
        if (configurationId == lastConfiguration && sequence - lastSequence <= 0) {
            throw new IllegalStateException("agreed stream went backwards: " + sequence + " after " + lastSequence);
        }
        lastConfiguration = configurationId;
        lastSequence = sequence;
        ViewId id = new ViewId(configurationId, sequence);
        if (item instanceof AgreedItem.Data d) {
            deliverData(sequence, d);
        } else if (item instanceof AgreedItem.Join j) {
            applyJoin(id, j);
        } else if (item instanceof AgreedItem.Leave l) {
            applyLeave(id, l);
        } else if (item instanceof AgreedItem.GroupState gs) {
            change.onGroupState(id, gs);
        } else {
            applyDisconnect(id, (AgreedItem.Disconnect) item);
        }
    }

    private void deliverData(long sequence, AgreedItem.Data d) {
        MessageEvent m = new MessageEvent(sequence, d.session(), d.groups(), d.level(), d.type(), d.payload(),
                d.originBits());
        if (d.groups().size() == 1 && !Names.isPrivateName(d.groups().get(0))) {
            deliverDataToGroup(m, d);
            return;
        }
        Map<ClientSession, List<String>> receivers = new LinkedHashMap<>();
        for (String g : d.groups()) {
            if (Names.isPrivateName(g)) {
                ClientSession target = sessions.named(g);
                if (target != null) {
                    receivers.computeIfAbsent(target, t -> new ArrayList<>(1)).add(g);
                }
                continue;
            }
            GroupTable.Group group = groups.group(g);
            if (group == null) {
                continue;
            }
            for (String member : group.memberView()) {
                ClientSession r = sessions.named(member);
                if (r != null) {
                    receivers.computeIfAbsent(r, t -> new ArrayList<>(1)).add(g);
                }
            }
        }
        ClientSession sender = sessions.named(d.session());
        for (Map.Entry<ClientSession, List<String>> e : receivers.entrySet()) {
            if (d.selfDiscard() && e.getKey() == sender) {
                continue;
            }
            policy.deliverTo(e.getKey(), m, e.getValue(), out);
        }
        acceptOwnMulticast(d.session());
    }

    /** The common case, one group: each local member once, in member order, without a map or list per message. */
    private void deliverDataToGroup(MessageEvent m, AgreedItem.Data d) {
        GroupTable.Group group = groups.group(d.groups().get(0));
        ClientSession sender = sessions.named(d.session());
        if (group != null) {
            for (String member : group.memberView()) {
                ClientSession r = sessions.named(member);
                if (r != null && !(d.selfDiscard() && r == sender)) {
                    policy.deliverTo(r, m, d.groups(), out);
                }
            }
        }
        acceptOwnMulticast(d.session());
    }

    /** A local sender's multicast came out of the agreed stream: its credit comes back as the acknowledgement. */
    private void acceptOwnMulticast(String session) {
        RequestTracker.Pending p = requests.completeOwn(session);
        ClientSession sender = sessions.named(session); // its own copy may have closed it as a slow consumer
        if (sender != null && p != null) {
            sender.acceptedMulticast(p.payloadBytes());
            policy.readingWindow(sender, out);
            policy.creditToReport(sender);
        }
    }

    private void applyJoin(ViewId id, AgreedItem.Join j) {
        GroupTable.Group g = groups.join(j.group(), j.session(), id);
        if (g != null) {
            ViewEvent view = new ViewEvent(g.name(), id, ViewCause.JOIN, g.members(), List.of(j.session()), List.of(),
                    false, List.of(List.of(j.session())), g.index());
            deliverView(g, view);
            ClientSession joiner = sessions.named(j.session());
            if (change.changing() && joiner != null) {
                // Joined in the old configuration's remainder: the joiner too is told the
                // configuration is changing, as the members who were there before it were.
                policy.deliverTo(joiner, new TransitionalEvent(g.name(), id, g.index(), change.transitionalDaemons()), List.of(g.name()), out);
            }
        }
        RequestTracker.Pending p = requests.completeOwn(j.session());
        ClientSession s = sessions.named(j.session());
        if (s != null && p != null) {
            out.accept(new Output.RequestDone(s.id(), p.requestId()));
        }
    }

    private void applyLeave(ViewId id, AgreedItem.Leave l) {
        GroupTable.Group g = groups.leave(l.group(), l.session(), id);
        ClientSession s = sessions.named(l.session());
        if (g != null) {
            if (s != null) {
                policy.deliverTo(s, new ViewEvent(g.name(), id, ViewCause.LEAVE, List.of(), List.of(l.session()),
                        List.of(), true, List.of(List.of(l.session())), g.index()), List.of(), out);
            }
            deliverView(g, new ViewEvent(g.name(), id, ViewCause.LEAVE, g.members(), List.of(l.session()), List.of(),
                    false, List.of(List.of(l.session())), g.index()));
        }
        RequestTracker.Pending p = requests.completeOwn(l.session());
        s = sessions.named(l.session()); // its self-leave view may have closed it as a slow consumer
        if (s != null && p != null) {
            out.accept(g != null
                    ? new Output.RequestDone(s.id(), p.requestId())
                    : new Output.RequestFailed(s.id(), p.requestId(), ErrorCode.NOT_A_MEMBER,
                            l.session() + " is not a member of " + l.group()));
        }
    }

    private void applyDisconnect(ViewId id, AgreedItem.Disconnect d) {
        ViewCause cause = d.clean() ? ViewCause.LEAVE : ViewCause.DISCONNECT;
        for (String group : groups.groupsOfInJoinOrder(d.session())) {
            GroupTable.Group g = groups.leave(group, d.session(), id);
            if (g != null) {
                deliverView(g, new ViewEvent(group, id, cause, g.members(), List.of(d.session()), List.of(), false,
                        List.of(List.of(d.session())), g.index()));
            }
        }
        requests.forget(d.session());
    }

    private void deliverView(GroupTable.Group g, ViewEvent view) {
        for (String member : view.members()) {
            ClientSession r = sessions.named(member);
            if (r != null) {
                policy.deliverTo(r, view, List.of(g.name()), out);
            }
        }
    }
}

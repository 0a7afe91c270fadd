package io.consort.core;

import io.consort.core.groups.GroupExchange;
import io.consort.core.groups.GroupTable;
import io.consort.core.ring.AgreedItem;
import io.consort.core.ring.Ring;
import io.consort.core.session.ClientSession;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where the group layer stands towards configuration changes. A ring of one is always STABLE. In
 * a daemon network, a configuration change moves it to CHANGING (members got their transitional
 * signal) until the group state exchange of the new configuration completes and the NETWORK
 * views are out; then the ring may order sessions' items again.
 */
final class ConfigurationChange {
    private enum Phase { STABLE, CHANGING }

    private Phase phase;
    private final GroupExchange exchange;
    private final GroupTable groups;
    private final SessionRegistry sessions;
    private final BufferPolicy policy;
    private final Ring ring;
    private final Consumer<Output> out;
    /** The daemons of the latest transitional configuration (what members are told with their signal). */
    private List<Integer> transitionalDaemons = List.of();

    ConfigurationChange(boolean stable, GroupExchange exchange, GroupTable groups, SessionRegistry sessions,
            BufferPolicy policy, Ring ring, Consumer<Output> out) {
        this.phase = stable ? Phase.STABLE : Phase.CHANGING;
        this.exchange = exchange;
        this.groups = groups;
        this.sessions = sessions;
        this.policy = policy;
        this.ring = ring;
        this.out = out;
    }

    /** Whether a configuration change is under way. */
    boolean changing() {
        return phase == Phase.CHANGING;
    }

    /** The old configuration's remainder follows: every local member gets its transitional signal, once per change. */
    void onTransitional(long oldConfigurationId, long newConfigurationId, List<Integer> daemons) {
        exchange.transition(oldConfigurationId, newConfigurationId);
        transitionalDaemons = List.copyOf(daemons);
        if (phase == Phase.CHANGING) {
            return; // a cascade: the members already got their signal and await their next view
        }
        phase = Phase.CHANGING;
        for (ClientSession s : sessions.all()) {
            signalTransitional(s);
        }
    }

    private void signalTransitional(ClientSession s) {
        for (String group : groups.groupsOfInJoinOrder(s.privateName())) {
            GroupTable.Group g = groups.group(group);
            if (g != null) {
                policy.deliverTo(s, new TransitionalEvent(group, g.viewId(), g.index(), transitionalDaemons), List.of(group), out);
            }
        }
    }

    /** The daemons of the latest transitional configuration (empty before the first change). */
    List<Integer> transitionalDaemons() {
        return transitionalDaemons;
    }

    /** A new regular configuration: tell the others which groups this daemon's sessions are in. */
    void onRegular(long configurationId, List<Integer> daemons) {
        for (AgreedItem.GroupState part : exchange.begin(configurationId, daemons, groups,
                !WireVersions.carriesItemsInParts(ring.wireVersion()))) {
            ring.submit(part);
        }
    }

    /** A daemon's report came out of the agreed stream; the last one installs the NETWORK views. */
    void onGroupState(ViewId id, AgreedItem.GroupState state) {
        if (phase != Phase.CHANGING || !exchange.offer(state)) {
            return;
        }
        GroupExchange.Result result = exchange.complete(groups, id);
        for (GroupExchange.View v : result.views()) {
            List<List<String>> allVsSets = v.allVsSets();
            GroupTable.Group installed = groups.group(v.group());
            int index = installed == null ? 1 : installed.index();
            for (String member : v.members()) {
                ClientSession s = sessions.named(member);
                if (s != null) {
                    policy.deliverTo(s, new ViewEvent(v.group(), id, ViewCause.NETWORK, v.members(), List.of(),
                            v.vsSetOf(member), false, allVsSets, index), List.of(v.group()), out);
                }
            }
        }
        phase = Phase.STABLE;
        ring.openClientTraffic(id.configurationId());
    }
}

package io.consort.core;

import io.consort.core.ring.AgreedItem;
import io.consort.core.ring.OrderedSink;
import io.consort.core.ring.Ring;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the engine does after each input that may have moved the ring: runs the agreed stream to its
 * end (group state machine, configuration changes), reports send credits, asks for the next timer,
 * and checks the parts' invariants, fail-stop.
 *
 * <pre>{@code
 * ring.receive(from, bytes, now);
 * settling.settle(now);
 * }</pre>
 */
final class Settling {
    private final EngineConfig config;
    private final Ring ring;
    private final SessionRegistry sessions;
    private final BufferPolicy policy;
    private final Consumer<Output> out;
    private final OrderedSink sink;
    /** The deadline of the last {@link Output.SetTimer}: asked for once, not again after each input. */
    private long timerSetFor = Long.MAX_VALUE;

    Settling(EngineConfig config, Ring ring, SessionRegistry sessions, BufferPolicy policy,
            GroupStateMachine stateMachine, ConfigurationChange change, Consumer<Output> out) {
        this.config = config;
        this.ring = ring;
        this.sessions = sessions;
        this.policy = policy;
        this.out = out;
        this.sink = new OrderedSink() {
            @Override
            public void deliver(long configurationId, long sequence, AgreedItem item) {
                stateMachine.onOrdered(configurationId, sequence, item);
            }

            @Override
            public void transitional(long oldConfigurationId, long newConfigurationId, List<Integer> daemons) {
                change.onTransitional(oldConfigurationId, newConfigurationId, daemons);
            }

            @Override
            public void regular(long configurationId, List<Integer> daemons) {
                change.onRegular(configurationId, daemons);
            }
        };
    }

    /** The timer fired (or the driver starts the engine): the deadline asked for is spent. */
    void timerFired(long nowNanos) {
        if (nowNanos >= timerSetFor) {
            timerSetFor = Long.MAX_VALUE;
        }
    }

    /** Runs the agreed stream to its end, applies the slow-consumer policy, and reports send credits. */
    void settle(long nowNanos) {
        // Delivering may submit (a group state, a slow session's disconnect): let the ring act on
        // it at once, until nothing more comes out.
        do {
            ring.tick(nowNanos);
        } while (ring.drainTo(sink) > 0);
        ring.takeOutputs(out);
        policy.reportCredits(out);
        long deadline = ring.nextDeadlineNanos();
        if (deadline != Long.MAX_VALUE && (deadline != timerSetFor || deadline <= nowNanos)) {
            timerSetFor = deadline;
            out.accept(new Output.SetTimer(deadline));
        }
        if (sessions.size() > config.maxSessions()) {
            throw new IllegalStateException(sessions.size() + " sessions, over the bound of " + config.maxSessions());
        }
        assert checkInvariants();
    }

    /** Each part's bookkeeping after an input, fail-stop (the ring checks its own). */
    private boolean checkInvariants() {
        sessions.checkInvariants();
        policy.checkInvariants(sessions);
        return true;
    }
}

/**
 * Totem membership, as one daemon runs it: {@link io.consort.core.membership.TotemRing} drives the
 * phases ({@code Gathering} with join admission and consensus, {@code Committing},
 * {@code Recovering}, {@code Operational}), each its own type with its own fields and deadlines;
 * failure detection by token loss, the gather state's join sets ({@link
 * io.consort.core.membership.Gather}), the commit token's record of every member's old ring, the
 * recovery plan ({@link io.consort.core.membership.RecoveryPlan}) and the EVS remainder rule that
 * finish the old ring's messages as extended virtual synchrony requires. The mechanics of one
 * ring (token visit, flow control, message store, merge detection, graceful leave) live below, in
 * {@code io.consort.core.ring}.
 */
@NullMarked
package io.consort.core.membership;

import org.jspecify.annotations.NullMarked;

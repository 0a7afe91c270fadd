/**
 * Ordering of the agreed stream, the mechanics of one ring: the {@link io.consort.core.ring.Ring}
 * contract, a ring of one, fragmentation, the ring's state and message store, a token visit as a
 * function ({@link io.consort.core.ring.TokenVisit}), flow control, merge detection, a graceful
 * leave, the stall guard and the ring id. The membership algorithm that forms rings is above, in
 * {@code io.consort.core.membership}.
 */
@NullMarked
package io.consort.core.ring;

import org.jspecify.annotations.NullMarked;

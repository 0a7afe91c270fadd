/**
 * Spread 4.4's client protocol at a Consort daemon: programs linked against Spread's own client
 * library connect, join, leave, multicast and receive memberships as they did against a Spread
 * daemon, beside Consort's own sessions on the same engine. See docs/SPREAD.md.
 */
@NullMarked
package io.consort.daemon.spread;

import org.jspecify.annotations.NullMarked;

/**
 * Daemon-to-daemon packet codecs. Every packet starts with the same header (magic, version,
 * type, sender); every codec draws its layout in a comment, writes big-endian, and checks length
 * and version before it trusts a field. Decoding failures are {@link io.consort.core.wire.WireException}s,
 * which the ring counts and drops: a bad datagram never throws out of the engine.
 */
@NullMarked
package io.consort.core.wire;

import org.jspecify.annotations.NullMarked;

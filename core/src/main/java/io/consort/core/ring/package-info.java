/** Ordering of the agreed stream. A single daemon is a ring of one. */
@NullMarked
package io.consort.core.ring;

import org.jspecify.annotations.NullMarked;

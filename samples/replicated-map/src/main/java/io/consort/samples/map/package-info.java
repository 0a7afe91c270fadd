/** A replicated key-value map over AGREED messages, with state transfer for late joiners. */
@NullMarked
package io.consort.samples.map;

import org.jspecify.annotations.NullMarked;

/** A flooder: messages per second and latency percentiles between sessions through one daemon. */
@NullMarked
package io.consort.samples.flooder;

import org.jspecify.annotations.NullMarked;

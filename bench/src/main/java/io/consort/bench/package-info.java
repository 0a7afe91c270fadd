/** Benchmarks: the engine ring under JMH, and the side-by-side harness against JGroups. */
@NullMarked
package io.consort.bench;

import org.jspecify.annotations.NullMarked;

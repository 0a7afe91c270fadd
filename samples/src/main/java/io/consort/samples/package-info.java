/** Runnable examples of the Consort client: a terminal chat and a flooder. */
@NullMarked
package io.consort.samples;

import org.jspecify.annotations.NullMarked;

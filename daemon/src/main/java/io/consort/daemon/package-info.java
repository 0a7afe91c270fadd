/** The daemon runtime: the engine thread and the TCP session endpoint, embeddable in any JVM. */
@NullMarked
package io.consort.daemon;

import org.jspecify.annotations.NullMarked;

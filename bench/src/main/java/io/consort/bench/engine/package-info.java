/** The engine alone: three clustered engines wired in one thread, no I/O, a fake clock. */
@NullMarked
package io.consort.bench.engine;

import org.jspecify.annotations.NullMarked;

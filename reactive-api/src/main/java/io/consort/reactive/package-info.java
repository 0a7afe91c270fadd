/** The Consort client API: sessions, groups, messages and views as Reactor streams. */
@NullMarked
package io.consort.reactive;

import org.jspecify.annotations.NullMarked;

/** The client side of the session protocol, behind the public API. */
@NullMarked
package io.consort.reactive.client;

import org.jspecify.annotations.NullMarked;

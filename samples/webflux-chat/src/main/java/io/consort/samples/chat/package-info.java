/** A Spring WebFlux chat over Consort: Server-Sent Events out, POST in, one Consort session per page. */
@NullMarked
package io.consort.samples.chat;

import org.jspecify.annotations.NullMarked;

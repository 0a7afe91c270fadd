/** A terminal chat in the spirit of Spread's spuser: join, leave, send at any level, watch views. */
@NullMarked
package io.consort.samples.chat;

import org.jspecify.annotations.NullMarked;

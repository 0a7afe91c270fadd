/** A replicated key-value map over SAFE messages that accepts writes only in a primary (majority) component, with state transfer for late joiners and merges. */
@NullMarked
package io.consort.samples.map;

import org.jspecify.annotations.NullMarked;

/** The Consort daemon engine. */
@NullMarked
package io.consort.core;

import org.jspecify.annotations.NullMarked;

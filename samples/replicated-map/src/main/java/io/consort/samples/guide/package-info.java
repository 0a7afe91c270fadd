/** The code of docs/GUIDE.md: each recipe lives here, compiled and tested, and the guide quotes it. */
@NullMarked
package io.consort.samples.guide;

import org.jspecify.annotations.NullMarked;

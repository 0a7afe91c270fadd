/** The README's tour of the API, as code the build compiles and a test runs. */
@NullMarked
package io.consort.samples.tour;

import org.jspecify.annotations.NullMarked;

/**
 * Totem membership: failure detection by token loss, the gather state's join sets and consensus,
 * the commit token's record of every member's old ring, and the recovery plan that finishes the
 * old ring's messages as extended virtual synchrony requires.
 */
@NullMarked
package io.consort.core.membership;

import org.jspecify.annotations.NullMarked;

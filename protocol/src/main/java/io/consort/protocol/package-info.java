/** The session protocol between clients and a daemon: length-prefixed binary frames (docs/PROTOCOL.md). */
@NullMarked
package io.consort.protocol;

import org.jspecify.annotations.NullMarked;

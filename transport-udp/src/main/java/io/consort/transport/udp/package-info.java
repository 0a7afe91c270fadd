/** consortd: the daemon's command line and configuration; later the daemon-to-daemon UDP transport. */
@NullMarked
package io.consort.transport.udp;

import org.jspecify.annotations.NullMarked;

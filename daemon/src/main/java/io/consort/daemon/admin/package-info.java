/**
 * The daemon's admin port: Prometheus metrics, readiness and liveness probes, the JSON API that
 * consort-monitor speaks, and the live view of the ring, all read from {@link io.consort.daemon.DaemonMonitor}'s
 * snapshots, never from the engine itself.
 */
@NullMarked
package io.consort.daemon.admin;

import org.jspecify.annotations.NullMarked;

/**
 * The side-by-side harness: member programs for Consort (reactive client against consortd) and
 * JGroups 5.4, each run as separate processes, and the orchestration that starts them, collects
 * their result lines and prints them with their ratio.
 */
@NullMarked
package io.consort.bench.harness;

import org.jspecify.annotations.NullMarked;

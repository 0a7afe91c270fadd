package io.consort.daemon;

import io.consort.core.Engine;

/**
 * A task for the engine thread that is not an engine input: a query, or another protocol's endpoint
 * driving the engine itself. Engine inputs proper are {@link io.consort.core.Input} records.
 */
@FunctionalInterface
interface EngineInput {
    void apply(Engine engine, long nowNanos);
}

package io.consort.daemon;

import io.consort.core.Engine;

/** One input for the engine, applied on the engine thread with the time the loop read. */
@FunctionalInterface
interface EngineInput {
    void apply(Engine engine, long nowNanos);
}

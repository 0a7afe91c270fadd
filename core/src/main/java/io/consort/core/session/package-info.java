/** Client sessions inside the engine: per-stream queues and credits, delivery, limits. */
@NullMarked
package io.consort.core.session;

import org.jspecify.annotations.NullMarked;

package io.consort.reactive;

import io.consort.core.ViewId;

/**
 * The configuration changed: until the next {@link GroupView} of the group, messages delivered are
 * the remainder of view {@code previous}, and may lack messages of members outside the coming vs-set.
 *
 * <pre>{@code
 * session.events("chat").filter(e -> e instanceof TransitionalSignal).subscribe(t -> pauseWrites());
 * }</pre>
 *
 * @param group    the group
 * @param previous the view that is ending
 */
public record TransitionalSignal(String group, ViewId previous) implements GroupEvent {
}

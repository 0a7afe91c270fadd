package io.consort.core;

/** Something a session receives: a message, a new view of a group, or a transitional signal. */
public sealed interface Event permits MessageEvent, ViewEvent, TransitionalEvent {
    /** Roughly how many bytes this event holds in a daemon's memory, for buffer bounds. */
    int sizeBytes();
}

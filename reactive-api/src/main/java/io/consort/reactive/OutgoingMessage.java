package io.consort.reactive;

import io.consort.core.ServiceLevel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A message to send: immutable, built fluently; every call returns a copy. The default level is
 * AGREED, the default type 0, and the sender receives its own message unless
 * {@link #selfDiscard()} is set.
 *
 * <pre>{@code
 * OutgoingMessage m = OutgoingMessage.to("orders", "audit")   // one place in the order, both groups
 *         .level(ServiceLevel.SAFE)
 *         .type(42)
 *         .text("buy 100 ACME");
 * session.multicast(m).block();
 * }</pre>
 */
public final class OutgoingMessage {
    private static final byte[] EMPTY = new byte[0];

    private final List<String> groups;
    private final ServiceLevel level;
    private final int type;
    private final boolean selfDiscard;
    private final byte[] payload;

    private OutgoingMessage(List<String> groups, ServiceLevel level, int type, boolean selfDiscard, byte[] payload) {
        this.groups = groups;
        this.level = level;
        this.type = type;
        this.selfDiscard = selfDiscard;
        this.payload = payload;
    }

    /** A message to one or more groups or private names, AGREED, type 0, empty payload. */
    public static OutgoingMessage to(String group, String... more) {
        Objects.requireNonNull(group, "group");
        String[] all = new String[more.length + 1];
        all[0] = group;
        System.arraycopy(more, 0, all, 1, more.length);
        return new OutgoingMessage(List.of(all), ServiceLevel.AGREED, 0, false, EMPTY);
    }

    /** A message to the given groups. */
    public static OutgoingMessage to(List<String> groups) {
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("a message needs at least one group");
        }
        return new OutgoingMessage(List.copyOf(groups), ServiceLevel.AGREED, 0, false, EMPTY);
    }

    /** At service level {@code level}. */
    public OutgoingMessage level(ServiceLevel level) {
        return new OutgoingMessage(groups, Objects.requireNonNull(level, "level"), type, selfDiscard, payload);
    }

    /** With the 16-bit message type {@code type}. */
    public OutgoingMessage type(int type) {
        if (type < 0 || type > 0xFFFF) {
            throw new IllegalArgumentException("message type must be 0..65535, was " + type);
        }
        return new OutgoingMessage(groups, level, type, selfDiscard, payload);
    }

    /** The sender does not receive this message itself. */
    public OutgoingMessage selfDiscard() {
        return new OutgoingMessage(groups, level, type, true, payload);
    }

    /** With these payload bytes (copied). */
    public OutgoingMessage payload(byte[] payload) {
        return new OutgoingMessage(groups, level, type, selfDiscard, payload.clone());
    }

    /**
     * With {@code payload} as it is, without the defensive copy {@link #payload(byte[])} makes: for a
     * sender that makes a fresh array per message and does not touch it afterwards (a change after this
     * call may or may not be sent).
     *
     * <pre>{@code
     * session.publish(records.map(r -> OutgoingMessage.to("g").payloadWithoutCopy(serialize(r))));
     * }</pre>
     */
    public OutgoingMessage payloadWithoutCopy(byte[] payload) {
        return new OutgoingMessage(groups, level, type, selfDiscard, Objects.requireNonNull(payload, "payload"));
    }

    /** With {@code value} encoded by {@code codec} as payload. */
    public <T> OutgoingMessage payload(T value, PayloadCodec<T> codec) {
        return new OutgoingMessage(groups, level, type, selfDiscard, codec.encode(value));
    }

    /** With UTF-8 text as payload. */
    public OutgoingMessage text(String text) {
        return new OutgoingMessage(groups, level, type, selfDiscard, text.getBytes(StandardCharsets.UTF_8));
    }

    public List<String> groups() {
        return groups;
    }

    public ServiceLevel level() {
        return level;
    }

    public int type() {
        return type;
    }

    public boolean isSelfDiscard() {
        return selfDiscard;
    }

    /** The payload; the library never changes it, and callers must not either. */
    public byte[] payloadBytes() {
        return payload;
    }
}

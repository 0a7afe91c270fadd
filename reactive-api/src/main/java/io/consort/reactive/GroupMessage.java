package io.consort.reactive;

import io.consort.core.ServiceLevel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A received message. The service level it was sent at travels with it, so levels compose with
 * ordinary operators.
 *
 * <pre>{@code
 * session.messages("prices")
 *        .filter(m -> m.level() == ServiceLevel.AGREED)
 *        .map(m -> m.decode(PayloadCodec.json(Quote.class)))
 *        .subscribe(book::apply);
 * }</pre>
 */
public final class GroupMessage implements GroupEvent {
    private final long sequence;
    private final String sender;
    private final List<String> groups;
    private final ServiceLevel level;
    private final int type;
    private final byte[] payload;

    /** A message as the daemon delivered it; the client library builds these. */
    public GroupMessage(long sequence, String sender, List<String> groups, ServiceLevel level, int type,
            byte[] payload) {
        this.sequence = sequence;
        this.sender = Objects.requireNonNull(sender, "sender");
        this.groups = List.copyOf(groups);
        this.level = Objects.requireNonNull(level, "level");
        this.type = type;
        this.payload = Objects.requireNonNull(payload, "payload");
    }

    /** The message's position in the configuration's total order. */
    public long sequence() {
        return sequence;
    }

    /** The sender's private name, {@code #user#daemon}. */
    public String sender() {
        return sender;
    }

    /** The groups the message was sent to. */
    public List<String> groups() {
        return groups;
    }

    /** The service level the sender chose. */
    public ServiceLevel level() {
        return level;
    }

    /** The sender's 16-bit message type. */
    public int type() {
        return type;
    }

    /** A copy of the payload. */
    public byte[] payload() {
        return payload.clone();
    }

    /** A read-only view of the payload, without a copy. */
    public java.nio.ByteBuffer payloadBuffer() {
        return java.nio.ByteBuffer.wrap(payload).asReadOnlyBuffer();
    }

    /** The payload's length in bytes. */
    public int payloadLength() {
        return payload.length;
    }

    /** The payload read as UTF-8 text. */
    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** The payload decoded by {@code codec}. */
    public <T> T decode(PayloadCodec<T> codec) {
        return codec.decode(payload);
    }

    @Override
    public String toString() {
        return "GroupMessage{seq=" + sequence + ", sender=" + sender + ", groups=" + groups + ", level=" + level
                + ", type=" + type + ", bytes=" + payload.length + "}";
    }
}

package io.consort.reactive;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns values into message payloads and back: bytes, UTF-8 text, or typed JSON through Jackson.
 *
 * <pre>{@code
 * record Quote(String symbol, long priceMicros) {}
 * PayloadCodec<Quote> quotes = PayloadCodec.json(Quote.class);
 * session.multicast(OutgoingMessage.to("prices").payload(new Quote("ACME", 12_500_000), quotes));
 * session.messages("prices").map(m -> m.decode(quotes));
 * }</pre>
 *
 * @param <T> the value type
 */
public interface PayloadCodec<T> {
    /** The payload for {@code value}. */
    byte[] encode(T value);

    /** The value of {@code payload}. */
    T decode(byte[] payload);

    /** Payloads as they are (copied, so neither side can change the other's array). */
    static PayloadCodec<byte[]> bytes() {
        return new PayloadCodec<>() {
            @Override
            public byte[] encode(byte[] value) {
                return value.clone();
            }

            @Override
            public byte[] decode(byte[] payload) {
                return payload.clone();
            }
        };
    }

    /** UTF-8 text. */
    static PayloadCodec<String> utf8() {
        return new PayloadCodec<>() {
            @Override
            public byte[] encode(String value) {
                return value.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public String decode(byte[] payload) {
                return new String(payload, StandardCharsets.UTF_8);
            }
        };
    }

    /** JSON of {@code type} with a default {@link JsonMapper}. */
    static <T> PayloadCodec<T> json(Class<T> type) {
        return json(type, JsonMapper.shared());
    }

    /** JSON of {@code type} with {@code mapper}. Jackson's errors surface as its unchecked exceptions. */
    static <T> PayloadCodec<T> json(Class<T> type, JsonMapper mapper) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(mapper, "mapper");
        return new PayloadCodec<>() {
            @Override
            public byte[] encode(T value) {
                return mapper.writeValueAsBytes(value);
            }

            @Override
            public T decode(byte[] payload) {
                return mapper.readValue(payload, type);
            }
        };
    }
}

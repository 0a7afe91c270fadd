package io.consort.protocol;

/**
 * The frame types of the session protocol. Client-to-daemon types are below 0x80, daemon-to-client
 * types at or above. docs/PROTOCOL.md draws each layout.
 */
public final class FrameType {
    private FrameType() {
    }

    /** The documented default TCP port of a daemon's session endpoint, Spread's own. */
    public static final int DEFAULT_PORT = 4803;

    /**
     * The newest protocol version this build speaks. Version 2 adds credentials to HELLO. Version 3
     * negotiates: HELLO offers the range the client speaks ({@link Hello}), WELCOME answers with the
     * version the daemon chose, and both speak it. A daemon accepts all three; the reference client
     * offers 1 to 3 and, refused by a daemon that predates version 3, says HELLO again as before
     * (1 without credentials, 2 with them) on a new connection.
     */
    public static final int VERSION = 3;

    /** The oldest protocol version this build accepts. */
    public static final int VERSION_MIN = 1;

    /** HELLO (version 2) authentication method: none, the session is anonymous unless TLS says who it is. */
    public static final int AUTH_NONE = 0;
    /** HELLO (version 2) authentication method: an identity and its password. */
    public static final int AUTH_PASSWORD = 1;

    /** Bytes of the length prefix. */
    public static final int LENGTH_BYTES = 4;

    // client -> daemon
    public static final int HELLO = 0x01;
    public static final int SUBSCRIBE = 0x02;
    public static final int CREDIT = 0x03;
    public static final int CANCEL = 0x04;
    public static final int JOIN = 0x05;
    public static final int LEAVE = 0x06;
    public static final int MULTICAST = 0x07;
    public static final int BYE = 0x08;

    // daemon -> client
    public static final int WELCOME = 0x81;
    public static final int MESSAGE = 0x82;
    public static final int VIEW = 0x83;
    public static final int TRANSITIONAL = 0x84;
    public static final int DONE = 0x85;
    public static final int FAILED = 0x86;
    public static final int SEND_CREDIT = 0x87;
    public static final int ERROR = 0x88;
    /**
     * The daemon's ring state ({@link RingFrame}): sent to sessions at version 3 or later, once right after
     * WELCOME and again whenever the state changes. Older versions never get it.
     */
    public static final int RING = 0x89;
    /** The oldest session protocol version whose sessions get {@link #RING} frames. */
    public static final int RING_VERSION_MIN = 3;

    /** SUBSCRIBE flag: the stream receives messages. */
    public static final int STREAM_MESSAGES = 1;
    /** SUBSCRIBE flag: the stream receives views and transitional signals. */
    public static final int STREAM_VIEWS = 2;
    /** MULTICAST flag: the sender does not receive its own message. */
    public static final int SELF_DISCARD = 1;
    /** VIEW flag: the receiver's own leave. */
    public static final int SELF_LEAVE = 1;

    /** Room for everything but the payload in a MULTICAST or MESSAGE frame. */
    public static final int HEADER_ALLOWANCE_BYTES = 64 * 1024;
}

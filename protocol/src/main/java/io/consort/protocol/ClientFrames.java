package io.consort.protocol;

import io.consort.core.ServiceLevel;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Encoders of the frames a client sends to a daemon. Layouts are in docs/PROTOCOL.md. */
public final class ClientFrames {
    private ClientFrames() {
    }

    /** HELLO version 1: u16 version, str user. */
    public static void hello(FrameWriter w, String user) {
        w.begin(FrameType.HELLO).u16(FrameType.VERSION_MIN).str(user).end();
    }

    /**
     * HELLO version 2 with a password: u16 version, str user, u8 method (1), str identity, bytes secret.
     * The secret is UTF-8; send it only over TLS (or loopback).
     */
    public static void hello(FrameWriter w, String user, String identity, byte[] secret) {
        w.begin(FrameType.HELLO).u16(FrameType.VERSION).str(user).u8(FrameType.AUTH_PASSWORD).str(identity)
                .bytes(secret).end();
    }

    /** SUBSCRIBE: i32 streamId, u8 flags, str group (empty for all groups). */
    public static void subscribe(FrameWriter w, int streamId, @Nullable String group, boolean messages,
            boolean views) {
        int flags = (messages ? FrameType.STREAM_MESSAGES : 0) | (views ? FrameType.STREAM_VIEWS : 0);
        w.begin(FrameType.SUBSCRIBE).i32(streamId).u8(flags).str(group == null ? "" : group).end();
    }

    /** CREDIT: i32 streamId, i64 credits. */
    public static void credit(FrameWriter w, int streamId, long credits) {
        w.begin(FrameType.CREDIT).i32(streamId).i64(credits).end();
    }

    /** CANCEL: i32 streamId. */
    public static void cancel(FrameWriter w, int streamId) {
        w.begin(FrameType.CANCEL).i32(streamId).end();
    }

    /** JOIN: i32 requestId, str group. */
    public static void join(FrameWriter w, int requestId, String group) {
        w.begin(FrameType.JOIN).i32(requestId).str(group).end();
    }

    /** LEAVE: i32 requestId, str group. */
    public static void leave(FrameWriter w, int requestId, String group) {
        w.begin(FrameType.LEAVE).i32(requestId).str(group).end();
    }

    /** MULTICAST: i32 requestId, u8 level, u8 flags, u16 type, strs groups, bytes payload. */
    public static void multicast(FrameWriter w, int requestId, List<String> groups, ServiceLevel level,
            boolean selfDiscard, int type, byte[] payload) {
        w.begin(FrameType.MULTICAST).i32(requestId).u8(level.code()).u8(selfDiscard ? FrameType.SELF_DISCARD : 0)
                .u16(type).strs(groups).bytes(payload).end();
    }

    /** BYE: no body. A clean goodbye: the others see LEAVE, not DISCONNECT. */
    public static void bye(FrameWriter w) {
        w.begin(FrameType.BYE).end();
    }
}

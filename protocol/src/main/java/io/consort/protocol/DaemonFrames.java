package io.consort.protocol;

import io.consort.core.ErrorCode;
import io.consort.core.Event;
import io.consort.core.MessageEvent;
import io.consort.core.TransitionalEvent;
import io.consort.core.ViewEvent;

/** Encoders of the frames a daemon sends to a client. Layouts are in docs/PROTOCOL.md. */
public final class DaemonFrames {
    private DaemonFrames() {
    }

    /** WELCOME: u16 version, str privateName, i32 sendCredits, i32 maxMessageBytes. */
    public static void welcome(FrameWriter w, String privateName, int sendCredits, int maxMessageBytes) {
        w.begin(FrameType.WELCOME).u16(FrameType.VERSION).str(privateName).i32(sendCredits).i32(maxMessageBytes)
                .end();
    }

    /** MESSAGE, VIEW or TRANSITIONAL for stream {@code streamId}, according to the event. */
    public static void event(FrameWriter w, int streamId, Event event) {
        if (event instanceof MessageEvent m) {
            w.begin(FrameType.MESSAGE).i32(streamId).i64(m.sequence()).str(m.sender()).u8(m.level().code())
                    .u16(m.type()).strs(m.groups()).bytes(m.payload()).end();
        } else if (event instanceof ViewEvent v) {
            w.begin(FrameType.VIEW).i32(streamId).str(v.group()).i64(v.id().configurationId()).i64(v.id().sequence())
                    .u8(v.cause().code()).u8(v.selfLeave() ? FrameType.SELF_LEAVE : 0)
                    .strs(v.members()).strs(v.changed()).strs(v.vsSet()).end();
        } else {
            TransitionalEvent t = (TransitionalEvent) event;
            w.begin(FrameType.TRANSITIONAL).i32(streamId).str(t.group()).i64(t.previous().configurationId())
                    .i64(t.previous().sequence()).end();
        }
    }

    /** DONE: i32 requestId. */
    public static void done(FrameWriter w, int requestId) {
        w.begin(FrameType.DONE).i32(requestId).end();
    }

    /** FAILED: i32 requestId, u16 code, str reason. */
    public static void failed(FrameWriter w, int requestId, ErrorCode code, String reason) {
        w.begin(FrameType.FAILED).i32(requestId).u16(code.code()).str(truncate(reason)).end();
    }

    /** SEND_CREDIT: i32 credits. */
    public static void sendCredit(FrameWriter w, int credits) {
        w.begin(FrameType.SEND_CREDIT).i32(credits).end();
    }

    /** ERROR: u16 code, str reason. The daemon closes the connection after it. */
    public static void error(FrameWriter w, ErrorCode code, String reason) {
        w.begin(FrameType.ERROR).u16(code.code()).str(truncate(reason)).end();
    }

    private static String truncate(String s) {
        return s.length() > 1024 ? s.substring(0, 1024) + "..." : s;
    }
}

package io.consort.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.consort.core.ErrorCode;
import io.consort.core.ServiceLevel;
import io.consort.protocol.ClientFrames;
import io.consort.protocol.FrameReader;
import io.consort.protocol.FrameType;
import io.consort.protocol.FrameWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;

/**
 * A client that speaks the session protocol with raw bytes over a plain {@link Socket}, to send
 * what no well-behaved client would and to read exactly what the daemon answers.
 */
final class RawClient implements AutoCloseable {
    /** One frame from the daemon: its type and its body (after the type byte). */
    record Frame(int type, byte[] body) {
        FrameReader reader() {
            ByteBuf b = Unpooled.buffer(1 + body.length);
            b.writeByte(type);
            b.writeBytes(body);
            FrameReader r = new FrameReader(b);
            return r;
        }
    }

    /** A decoded ERROR or FAILED. */
    record Refusal(int requestId, ErrorCode code, String reason) {
    }

    static final int READ_TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
    }

    Socket socket() {
        return socket;
    }

    // ------------------------------------------------------------------ writing

    /** Writes bytes exactly as given; a daemon that already closed may reset us, which is fine. */
    RawClient raw(byte... bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Writes a frame made with the protocol's own encoders. */
    RawClient frame(Consumer<FrameWriter> frame) throws IOException {
        return raw(encode(frame));
    }

    static byte[] encode(Consumer<FrameWriter> frame) {
        ByteBuf b = Unpooled.buffer();
        frame.accept(new FrameWriter(b));
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        return bytes;
    }

    /** A frame with the given type and body, its length prefix computed. */
    static byte[] frameOf(int type, byte[] body) {
        return ByteBuffer.allocate(4 + 1 + body.length).putInt(1 + body.length).put((byte) type).put(body).array();
    }

    /** Sends HELLO and expects WELCOME; returns the private name. */
    String hello(String user) throws IOException {
        frame(w -> ClientFrames.hello(w, user));
        Frame f = next();
        assertThat(f.type()).as("answer to HELLO from %s", user).isEqualTo(FrameType.WELCOME);
        FrameReader r = f.reader();
        assertThat(r.u16("version")).as("a version-1 HELLO is answered at version 1").isEqualTo(1);
        String name = r.str("privateName");
        sendWindow = r.i32("sendCredits");
        assertThat(r.i32("maxMessageBytes")).isPositive();
        r.end();
        return name;
    }

    int sendWindow;

    RawClient subscribeAll(int streamId) throws IOException {
        return frame(w -> ClientFrames.subscribe(w, streamId, null, true, true));
    }

    RawClient credit(int streamId, long credits) throws IOException {
        return frame(w -> ClientFrames.credit(w, streamId, credits));
    }

    RawClient join(int requestId, String group) throws IOException {
        return frame(w -> ClientFrames.join(w, requestId, group));
    }

    RawClient multicast(int requestId, String group, byte[] payload) throws IOException {
        return frame(w -> ClientFrames.multicast(w, requestId, List.of(group), ServiceLevel.AGREED, false, 0,
                payload));
    }

    // ------------------------------------------------------------------ reading

    /** The next frame; fails the test if the connection ends or nothing comes in time. */
    Frame next() throws IOException {
        Frame f = nextOrNull();
        if (f == null) {
            fail("the daemon closed the connection where a frame was expected");
        }
        return f;
    }

    /** The next frame, or null at the end of the stream (or a reset after the daemon closed). */
    Frame nextOrNull() throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException | SocketException e) {
            return null;
        }
        assertThat(length).as("length prefix from the daemon").isBetween(1, 64 << 20);
        byte[] frame = new byte[length];
        in.readFully(frame);
        byte[] body = new byte[length - 1];
        System.arraycopy(frame, 1, body, 0, body.length);
        return new Frame(frame[0] & 0xFF, body);
    }

    /** Reads, skipping deliveries, until a frame of {@code type}. */
    Frame until(int type) throws IOException {
        while (true) {
            Frame f = next();
            if (f.type() == type) {
                return f;
            }
            assertThat(f.type()).as("frame before the expected 0x%x", type)
                    .isIn(FrameType.MESSAGE, FrameType.VIEW, FrameType.TRANSITIONAL, FrameType.SEND_CREDIT,
                            FrameType.DONE, FrameType.WELCOME, FrameType.RING);
        }
    }

    /** Expects an ERROR with {@code code} (deliveries before it are skipped), then the daemon closing. */
    Refusal expectError(ErrorCode code) throws IOException {
        FrameReader r = until(FrameType.ERROR).reader();
        Refusal e = new Refusal(-1, ErrorCode.fromCode(r.u16("code")), r.str("reason"));
        r.end();
        assertThat(e.code()).as("ERROR code, reason: %s", e.reason()).isEqualTo(code);
        assertThat(e.reason()).isNotBlank();
        expectClosed();
        return e;
    }

    /** Expects FAILED for {@code requestId} with {@code code}. */
    Refusal expectFailed(int requestId, ErrorCode code) throws IOException {
        FrameReader r = until(FrameType.FAILED).reader();
        Refusal f = new Refusal(r.i32("requestId"), ErrorCode.fromCode(r.u16("code")), r.str("reason"));
        r.end();
        assertThat(f.requestId()).isEqualTo(requestId);
        assertThat(f.code()).as("FAILED code, reason: %s", f.reason()).isEqualTo(code);
        assertThat(f.reason()).isNotBlank();
        return f;
    }

    /** Expects DONE for {@code requestId}. */
    void expectDone(int requestId) throws IOException {
        FrameReader r = until(FrameType.DONE).reader();
        assertThat(r.i32("requestId")).isEqualTo(requestId);
    }

    /** Expects the daemon to close the connection with nothing more sent. */
    void expectClosed() throws IOException {
        Frame f;
        try {
            f = nextOrNull();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the daemon did not close the connection within " + READ_TIMEOUT_MILLIS + " ms");
        }
        assertThat(f).as("frame after the daemon should have closed").isNull();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

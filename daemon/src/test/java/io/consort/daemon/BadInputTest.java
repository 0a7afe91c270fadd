package io.consort.daemon;

import static io.consort.daemon.RawClient.encode;
import static io.consort.daemon.RawClient.frameOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.consort.core.EngineConfig;
import io.consort.core.ErrorCode;
import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.Session;
import io.consort.protocol.ClientFrames;
import io.consort.protocol.FrameReader;
import io.consort.protocol.FrameType;
import io.consort.protocol.FrameWriter;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Raw bytes at the daemon's port (SPEC.md, "Bad input"). Every test runs while two well-behaved
 * sessions exchange a steady stream of messages ({@link SteadyTraffic}); after every test they must
 * have lost nothing, be still connected, and the daemon must still welcome new clients.
 */
class BadInputTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int MAX_MESSAGE = EngineConfig.DEFAULT_MAX_MESSAGE_BYTES;
    private static final int MAX_FRAME = MAX_MESSAGE + FrameType.HEADER_ALLOWANCE_BYTES;

    private EmbeddedDaemon daemon;
    private SteadyTraffic steady;
    private final List<RawClient> raws = new ArrayList<>();

    @BeforeEach
    void start() {
        daemon = EmbeddedDaemon.startEphemeral();
        steady = new SteadyTraffic(daemon.port(), Duration.ofMillis(1));
    }

    @AfterEach
    void checkNobodyElseLostAnythingAndTheDaemonStillServes() throws Exception {
        try {
            for (RawClient r : raws) {
                r.close();
            }
            steady.stopAndVerify();
            // Only the two steady sessions are left once the offenders are gone.
            await().atMost(TIMEOUT).until(() -> daemon.sessionCount() == 2 && daemon.connectionCount() == 2);
            // A new raw client and a new API session are served as usual.
            try (RawClient fresh = new RawClient(daemon.port())) {
                assertThat(fresh.hello("fresh")).isEqualTo("#fresh#localhost");
                fresh.subscribeAll(1).credit(1, 10).join(1, "after").expectDone(1);
            }
            Session late = ConsortClient.create().port(daemon.port()).name("late").connect().block(TIMEOUT);
            StepVerifier.create(late.messages("#late#localhost").take(1).map(GroupMessage::text))
                    .then(() -> late.multicast("#late#localhost", ServiceLevel.AGREED, "still here").block(TIMEOUT))
                    .expectNext("still here")
                    .verifyComplete();
            late.close().block(TIMEOUT);
            steady.close();
        } finally {
            daemon.close();
        }
    }

    private RawClient raw() throws IOException {
        RawClient r = new RawClient(daemon.port());
        raws.add(r);
        return r;
    }

    /** A raw client past its handshake. */
    private RawClient welcomed(String user) throws IOException {
        RawClient r = raw();
        r.hello(user);
        return r;
    }

    private static byte[] u32(long v) {
        return ByteBuffer.allocate(4).putInt((int) v).array();
    }

    // ------------------------------------------------------------------ framing

    @Test
    void hugeLengthPrefixIsMalformedAndCloses() throws Exception {
        raw().raw(u32(0x7FFFFFFF)).expectError(ErrorCode.MALFORMED_FRAME);
        welcomed("huge").raw(u32(0x7FFFFFFF)).raw(new byte[1000]).expectError(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void negativeLengthPrefixIsMalformedAndCloses() throws Exception {
        raw().raw(u32(0xFFFFFFFFL)).expectError(ErrorCode.MALFORMED_FRAME);
        welcomed("negative").raw(u32(0x80000000L)).expectError(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void lengthOneOverTheMaximumFrameIsMalformed() throws Exception {
        welcomed("over").raw(u32(MAX_FRAME + 1)).expectError(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void emptyFrameHasNoTypeAndIsMalformed() throws Exception {
        raw().raw(u32(0)).expectError(ErrorCode.MALFORMED_FRAME);
        welcomed("empty").raw(u32(0)).expectError(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void everyTruncationOfEveryClientFrameIsMalformed() throws Exception {
        List<Consumer<FrameWriter>> frames = List.of(
                w -> ClientFrames.subscribe(w, 7, "grp", true, true),
                w -> ClientFrames.credit(w, 7, 5),
                w -> ClientFrames.cancel(w, 7),
                w -> ClientFrames.join(w, 3, "grp"),
                w -> ClientFrames.leave(w, 3, "grp"),
                w -> ClientFrames.multicast(w, 4, List.of("grp", "other"), ServiceLevel.SAFE, true, 9,
                        "abc".getBytes(StandardCharsets.UTF_8)));
        int n = 0;
        for (Consumer<FrameWriter> frame : frames) {
            byte[] whole = encode(frame);
            // Cut the body (after the type byte) at every length short of whole, and fix the prefix to match.
            for (int bodyLength = 0; bodyLength < whole.length - 5; bodyLength++) {
                byte[] body = Arrays.copyOfRange(whole, 5, 5 + bodyLength);
                RawClient r = welcomed("cut" + n++);
                r.raw(frameOf(whole[4], body)).expectError(ErrorCode.MALFORMED_FRAME);
                r.close();
            }
        }
        // A truncated HELLO before any session exists.
        byte[] hello = encode(w -> ClientFrames.hello(w, "someone"));
        for (int bodyLength = 0; bodyLength < hello.length - 5; bodyLength++) {
            RawClient r = raw();
            r.raw(frameOf(FrameType.HELLO, Arrays.copyOfRange(hello, 5, 5 + bodyLength)))
                    .expectError(ErrorCode.MALFORMED_FRAME);
            r.close();
        }
    }

    @Test
    void bytesAfterTheLastFieldAreMalformed() throws Exception {
        byte[] join = encode(w -> ClientFrames.join(w, 1, "grp"));
        byte[] body = Arrays.copyOfRange(join, 5, join.length + 1); // one zero byte too many
        welcomed("trailing").raw(frameOf(FrameType.JOIN, body)).expectError(ErrorCode.MALFORMED_FRAME);
        byte[] hello = encode(w -> ClientFrames.hello(w, "trailing2"));
        raw().raw(frameOf(FrameType.HELLO, Arrays.copyOfRange(hello, 5, hello.length + 3)))
                .expectError(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void stringAndListLengthsLargerThanTheFrameAreMalformed() throws Exception {
        // JOIN whose group claims 0xFFFF bytes; MULTICAST whose group list claims 0xFFFF entries; payload length -1.
        welcomed("strlen").raw(frameOf(FrameType.JOIN, new byte[] {0, 0, 0, 1, (byte) 0xFF, (byte) 0xFF, 'g'}))
                .expectError(ErrorCode.MALFORMED_FRAME);
        welcomed("listlen").raw(frameOf(FrameType.MULTICAST,
                new byte[] {0, 0, 0, 1, 4, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 0, 1, 'g'}))
                .expectError(ErrorCode.MALFORMED_FRAME);
        welcomed("paylen").raw(frameOf(FrameType.MULTICAST,
                new byte[] {0, 0, 0, 1, 4, 0, 0, 0, 0, 1, 0, 1, 'g', (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}))
                .expectError(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void connectionLostInTheMiddleOfAFrameLeavesNothingBehind() throws Exception {
        RawClient r = welcomed("halfway");
        r.join(1, "steady").expectDone(1);
        // A frame that promises a megabyte and delivers three bytes, then the connection drops.
        r.raw(u32(MAX_FRAME)).raw(new byte[] {FrameType.MULTICAST, 0, 0});
        r.close();
        await().atMost(TIMEOUT).until(() -> daemon.sessionCount() == 2);
    }

    // ------------------------------------------------------------------ frame types and handshake

    @Test
    void unknownFrameTypesAreRefusedAndClose() throws Exception {
        for (int type : new int[] {0x00, 0x09, 0x42, 0x7F, FrameType.WELCOME, FrameType.ERROR, 0xFF}) {
            welcomed("type" + type).raw(frameOf(type, new byte[] {1, 2, 3})).expectError(ErrorCode.UNKNOWN_FRAME_TYPE);
        }
    }

    @Test
    void framesBeforeHelloAreProtocolViolations() throws Exception {
        raw().join(1, "grp").expectError(ErrorCode.PROTOCOL_VIOLATION);
        raw().credit(1, 10).expectError(ErrorCode.PROTOCOL_VIOLATION);
        raw().multicast(1, "steady", new byte[10]).expectError(ErrorCode.PROTOCOL_VIOLATION);
        raw().frame(ClientFrames::bye).expectError(ErrorCode.PROTOCOL_VIOLATION);
        raw().raw(frameOf(0x42, new byte[0])).expectError(ErrorCode.PROTOCOL_VIOLATION);
    }

    @Test
    void aSecondHelloIsAProtocolViolation() throws Exception {
        welcomed("twice").frame(w -> ClientFrames.hello(w, "twice")).expectError(ErrorCode.PROTOCOL_VIOLATION);
    }

    @Test
    void wrongProtocolVersionsAreRefused() throws Exception {
        for (int version : new int[] {0, FrameType.VERSION + 1, 0xFFFF}) {
            raw().frame(w -> w.begin(FrameType.HELLO).u16(version).str("v" + version).end())
                    .expectError(ErrorCode.UNSUPPORTED_VERSION);
        }
    }

    @Test
    void invalidAndOverLongPrivateNamesAreRefused() throws Exception {
        for (String user : List.of("", "a b", "a#b", "#", "caf\u00e9", "tab\t", "nul\0", "x".repeat(21),
                "y".repeat(300))) {
            raw().frame(w -> ClientFrames.hello(w, user)).expectError(ErrorCode.INVALID_PRIVATE_NAME);
        }
        // Invalid UTF-8 decodes to replacement characters, which are refused the same way.
        raw().raw(frameOf(FrameType.HELLO, new byte[] {0, 1, 0, 2, (byte) 0xC3, (byte) 0x28}))
                .expectError(ErrorCode.INVALID_PRIVATE_NAME);
        // The longest allowed name is fine.
        assertThat(welcomed("z".repeat(20)).sendWindow).isPositive();
    }

    @Test
    void aDuplicatePrivateNameIsRefusedAndTheOriginalKeepsItsSession() throws Exception {
        RawClient original = welcomed("dup");
        raw().frame(w -> ClientFrames.hello(w, "dup")).expectError(ErrorCode.DUPLICATE_PRIVATE_NAME);
        raw().frame(w -> ClientFrames.hello(w, "producer")).expectError(ErrorCode.DUPLICATE_PRIVATE_NAME);
        original.subscribeAll(1).credit(1, 100).join(1, "dupgroup").expectDone(1);
        original.multicast(2, "dupgroup", "mine".getBytes(StandardCharsets.UTF_8));
        FrameReader m = original.until(FrameType.MESSAGE).reader();
        m.i32("stream");
        m.i64("seq");
        assertThat(m.str("sender")).isEqualTo("#dup#localhost");
    }

    // ------------------------------------------------------------------ requests: refused, session kept

    @Test
    void invalidAndOverLongGroupNamesFailTheRequestOnly() throws Exception {
        RawClient r = welcomed("names");
        int id = 1;
        for (String group : List.of("", "a#b", "a b", "x".repeat(33), "caf\u00e9", "#", "##", "#a#", "#a b#c",
                "ctl\u0001")) {
            r.join(id, group).expectFailed(id++, ErrorCode.INVALID_GROUP_NAME);
            r.frame(w -> ClientFrames.leave(w, 99, group)).expectFailed(99, ErrorCode.INVALID_GROUP_NAME);
            r.multicast(id, group, new byte[1]).expectFailed(id++, ErrorCode.INVALID_GROUP_NAME);
        }
        // 32 bytes is the limit and is fine; the session still works.
        r.join(id, "x".repeat(32)).expectDone(id++);
        r.frame(w -> ClientFrames.leave(w, 500, "not-joined")).expectFailed(500, ErrorCode.NOT_A_MEMBER);
        // Refused multicasts returned their credits: a whole window is still accepted.
        expectWindowAccepted(r, id, "x".repeat(32));
    }

    @Test
    void subscribingToAnInvalidGroupClosesTheSession() throws Exception {
        welcomed("badsub").frame(w -> ClientFrames.subscribe(w, 1, "bad#group", true, false))
                .expectError(ErrorCode.INVALID_GROUP_NAME);
        RawClient again = welcomed("dupstream").subscribeAll(1).subscribeAll(1);
        again.expectError(ErrorCode.PROTOCOL_VIOLATION);
    }

    @Test
    void oversizeMessagesFailAndTheSessionGoesOn() throws Exception {
        RawClient r = welcomed("big");
        r.multicast(1, "steady", new byte[MAX_MESSAGE + 1]).expectFailed(1, ErrorCode.MESSAGE_TOO_LARGE);
        // The largest payload that still fits a frame is refused the same way.
        r.multicast(2, "nobody", new byte[MAX_FRAME - 64]).expectFailed(2, ErrorCode.MESSAGE_TOO_LARGE);
        r.multicast(3, "nobody", new byte[MAX_MESSAGE]);
        r.until(FrameType.SEND_CREDIT);
        expectWindowAccepted(r, 10, "nobody");
        // A frame larger than the frame bound cannot be read at all: the connection closes.
        r.raw(u32(MAX_FRAME + 1)).expectError(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void unknownServiceLevelsAndBadGroupCountsFailTheRequestOnly() throws Exception {
        RawClient r = welcomed("levels");
        int id = 1;
        for (int level : new int[] {6, 7, 0x80, 0xFF}) {
            int req = id++;
            r.frame(w -> w.begin(FrameType.MULTICAST).i32(req).u8(level).u8(0).u16(0).strs(List.of("nobody"))
                    .bytes(new byte[3]).end()).expectFailed(req, ErrorCode.UNKNOWN_SERVICE_LEVEL);
        }
        int none = id++;
        r.frame(w -> ClientFrames.multicast(w, none, List.of(), ServiceLevel.FIFO, false, 0, new byte[1]))
                .expectFailed(none, ErrorCode.TOO_MANY_GROUPS);
        int many = id++;
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < 129; i++) {
            groups.add("g" + i);
        }
        r.frame(w -> ClientFrames.multicast(w, many, groups, ServiceLevel.FIFO, false, 0, new byte[1]))
                .expectFailed(many, ErrorCode.TOO_MANY_GROUPS);
        expectWindowAccepted(r, id, "nobody");
    }

    /** Sends a whole send window at once and expects SEND_CREDITs acknowledging all of it. */
    private static void expectWindowAccepted(RawClient r, int firstId, String group) throws IOException {
        for (int i = 0; i < r.sendWindow; i++) {
            r.multicast(firstId + i, group, new byte[8]);
        }
        int acknowledged = 0;
        while (acknowledged < r.sendWindow) {
            acknowledged += r.until(FrameType.SEND_CREDIT).reader().i32("credits");
        }
        assertThat(acknowledged).isEqualTo(r.sendWindow);
    }

    // ------------------------------------------------------------------ credits

    @Test
    void creditsSaturateInsteadOfOverflowing() throws Exception {
        RawClient r = welcomed("rich");
        r.subscribeAll(1).credit(1, Long.MAX_VALUE).credit(1, Long.MAX_VALUE).credit(1, Long.MAX_VALUE);
        r.credit(42, 5); // a stream that is not open: ignored
        r.join(1, "rich").expectDone(1);
        for (int i = 0; i < 50; i++) {
            r.multicast(100 + i, "rich", new byte[] {(byte) i});
        }
        for (int i = 0; i < 50; i++) {
            FrameReader m = r.until(FrameType.MESSAGE).reader();
            assertThat(m.i32("stream")).isEqualTo(1);
            m.i64("seq");
            m.str("sender");
            m.u8("level");
            m.u16("type");
            m.strs("groups");
            assertThat(m.bytes("payload")).containsExactly((byte) i);
        }
    }

    @Test
    void zeroAndNegativeCreditsAreProtocolViolations() throws Exception {
        for (long credits : new long[] {0, -1, Long.MIN_VALUE}) {
            welcomed("poor" + Math.abs(credits % 1000)).subscribeAll(1).credit(1, credits)
                    .expectError(ErrorCode.PROTOCOL_VIOLATION);
        }
    }

    // ------------------------------------------------------------------ fuzz

    @Test
    void randomFramesNeverHurtTheDaemonOrAnyoneElse() throws Exception {
        long seed = Long.getLong("consort.fuzz.seed", 20240501L);
        Random random = new Random(seed);
        int[] types = {FrameType.HELLO, FrameType.SUBSCRIBE, FrameType.CREDIT, FrameType.CANCEL, FrameType.JOIN,
                FrameType.LEAVE, FrameType.MULTICAST, FrameType.BYE};
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        int connections = 0;
        for (; connections < 1000 && System.nanoTime() < deadline; connections++) {
            try (RawClient r = new RawClient(daemon.port())) {
                r.socket().setSoTimeout(5_000);
                ByteBuffer out = ByteBuffer.allocate(1 << 16);
                if (random.nextBoolean()) {
                    out.put(encode(w -> ClientFrames.hello(w, "fz" + random.nextInt(50))));
                }
                int frames = 1 + random.nextInt(6);
                for (int f = 0; f < frames; f++) {
                    byte[] body = new byte[random.nextInt(random.nextBoolean() ? 16 : 200)];
                    random.nextBytes(body);
                    int type = random.nextInt(4) == 0 ? random.nextInt(256) : types[random.nextInt(types.length)];
                    byte[] frame = frameOf(type, body);
                    if (random.nextInt(10) == 0) {
                        ByteBuffer.wrap(frame).putInt(random.nextInt()); // a random length prefix
                    }
                    if (out.remaining() < frame.length) {
                        break;
                    }
                    out.put(frame);
                }
                try {
                    r.raw(Arrays.copyOf(out.array(), out.position()));
                    r.socket().shutdownOutput();
                } catch (SocketException closedAlready) {
                    // the daemon may have closed the connection on an early frame
                }
                // Whatever the daemon answers must be well-formed daemon frames; then it closes.
                RawClient.Frame f;
                try {
                    while ((f = r.nextOrNull()) != null) {
                        assertThat(f.type()).as("seed %d, connection %d", seed, connections)
                                .isBetween(FrameType.WELCOME, FrameType.ERROR);
                    }
                } catch (java.net.SocketTimeoutException e) {
                    throw new AssertionError("seed " + seed + ", connection " + connections
                            + ": the daemon did not close a half-closed connection");
                }
            }
        }
        assertThat(connections).isGreaterThan(20);
        await().atMost(TIMEOUT).until(() -> daemon.sessionCount() == 2);
    }
}

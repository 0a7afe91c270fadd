package io.consort.core;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/**
 * A recording of one engine's inputs: the engine's configuration (its seed included) in a header,
 * then every input with the time it was applied. Because the engine is deterministic, a fresh
 * engine fed the same inputs produces the same outputs ({@link Replay}), so a recording taken in
 * production (consortd's {@code --record-inputs FILE}) becomes a test.
 *
 * <p>Format (big-endian): the magic {@code "CNSR"}, a format version, the configuration's four
 * records field by field, then entries, each a 4-byte length and that many bytes: the time in
 * nanoseconds, a one-byte input kind, the input's fields. A recording cut short by a crash mid-write
 * reads up to its last whole entry.
 *
 * <pre>{@code
 * try (InputRecording.Writer w = InputRecording.writer(out, engine.config())) {
 *     engine.observeInputs(w::write);
 *     ...
 * }
 * InputRecording r = InputRecording.read(in);
 * List<Output> again = Replay.outputs(r);
 * }</pre>
 *
 * @param config  the configuration the recorded engine ran with
 * @param entries its inputs in the order it applied them
 */
public record InputRecording(EngineConfig config, List<Entry> entries) {
    private static final int MAGIC = 0x434e5352; // "CNSR"
    private static final int VERSION = 1;

    private static final int CONNECT = 1;
    private static final int SUBSCRIBE = 2;
    private static final int CREDIT = 3;
    private static final int CANCEL = 4;
    private static final int JOIN = 5;
    private static final int LEAVE = 6;
    private static final int MULTICAST = 7;
    private static final int DISCONNECT = 8;
    private static final int WRITABLE = 9;
    private static final int DATAGRAM = 10;
    private static final int TICK = 11;
    private static final int SHUTDOWN = 12;

    public InputRecording {
        entries = List.copyOf(entries);
    }

    /** One recorded input and the time the engine applied it. */
    public record Entry(long nowNanos, Input input) {
    }

    /** Starts a recording on {@code out}: writes the header now. */
    public static Writer writer(OutputStream out, EngineConfig config) throws IOException {
        return new Writer(out, config);
    }

    /** Writes inputs as they come; {@link #flush} at the end of each batch keeps a crash from losing them. */
    public static final class Writer implements Closeable {
        private final DataOutputStream out;
        private final ByteArrayOutputStream entry = new ByteArrayOutputStream(256);
        private final DataOutputStream body = new DataOutputStream(entry);

        private Writer(OutputStream sink, EngineConfig config) throws IOException {
            this.out = new DataOutputStream(new BufferedOutputStream(sink, 1 << 16));
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            for (Record part : List.<Record>of(config.identity(), config.limits(), config.timeouts(),
                    config.windows())) {
                writeRecord(out, part);
            }
        }

        /** Appends one input; an {@link Engine.InputObserver}. Throws {@link java.io.UncheckedIOException}. */
        public void write(Input input, long nowNanos) {
            try {
                entry.reset();
                body.writeLong(nowNanos);
                encode(body, input);
                body.flush();
                out.writeInt(entry.size());
                entry.writeTo(out);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** Pushes what was written to the underlying stream. */
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** Reads a whole recording; a last entry cut short is left out. */
    public static InputRecording read(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(stream, 1 << 16));
        if (in.readInt() != MAGIC) {
            throw new IOException("not a Consort input recording");
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new IOException("input recording format " + version + ", this version reads " + VERSION);
        }
        EngineConfig config = EngineConfig.defaults()
                .withIdentity(readRecord(in, EngineConfig.Identity.class))
                .withLimits(readRecord(in, EngineConfig.SessionLimits.class))
                .withTimeouts(readRecord(in, EngineConfig.TotemTimeouts.class))
                .withWindows(readRecord(in, EngineConfig.TotemWindows.class));
        List<Entry> entries = new ArrayList<>();
        while (true) {
            byte[] bytes;
            try {
                int length = in.readInt();
                if (length < 9) {
                    throw new IOException("entry of " + length + " bytes");
                }
                bytes = new byte[length];
                in.readFully(bytes);
            } catch (EOFException end) {
                break;
            }
            DataInputStream e = new DataInputStream(new java.io.ByteArrayInputStream(bytes));
            long now = e.readLong();
            entries.add(new Entry(now, decode(e)));
        }
        return new InputRecording(config, entries);
    }

    // ------------------------------------------------------------------ inputs

    static void encode(DataOutputStream out, Input input) throws IOException {
        if (input instanceof Input.Connect i) {
            out.writeByte(CONNECT);
            out.writeLong(i.sessionId());
            out.writeUTF(i.user());
        } else if (input instanceof Input.Subscribe i) {
            out.writeByte(SUBSCRIBE);
            out.writeLong(i.sessionId());
            out.writeInt(i.streamId());
            String group = i.filter().group();
            out.writeBoolean(group != null);
            out.writeUTF(group == null ? "" : group);
            out.writeBoolean(i.filter().messages());
            out.writeBoolean(i.filter().views());
        } else if (input instanceof Input.Credit i) {
            out.writeByte(CREDIT);
            out.writeLong(i.sessionId());
            out.writeInt(i.streamId());
            out.writeLong(i.credits());
        } else if (input instanceof Input.Cancel i) {
            out.writeByte(CANCEL);
            out.writeLong(i.sessionId());
            out.writeInt(i.streamId());
        } else if (input instanceof Input.Join i) {
            out.writeByte(JOIN);
            out.writeLong(i.sessionId());
            out.writeInt(i.requestId());
            out.writeUTF(i.group());
        } else if (input instanceof Input.Leave i) {
            out.writeByte(LEAVE);
            out.writeLong(i.sessionId());
            out.writeInt(i.requestId());
            out.writeUTF(i.group());
        } else if (input instanceof Input.Multicast i) {
            out.writeByte(MULTICAST);
            out.writeLong(i.sessionId());
            out.writeInt(i.requestId());
            out.writeInt(i.destinations().size());
            for (String d : i.destinations()) {
                out.writeUTF(d);
            }
            out.writeInt(i.level());
            out.writeBoolean(i.selfDiscard());
            out.writeInt(i.type());
            out.writeInt(i.originBits());
            out.writeInt(i.payload().length);
            out.write(i.payload());
        } else if (input instanceof Input.Disconnect i) {
            out.writeByte(DISCONNECT);
            out.writeLong(i.sessionId());
            out.writeBoolean(i.clean());
        } else if (input instanceof Input.Writable i) {
            out.writeByte(WRITABLE);
            out.writeLong(i.sessionId());
            out.writeBoolean(i.writable());
        } else if (input instanceof Input.Datagram i) {
            out.writeByte(DATAGRAM);
            out.writeInt(i.fromDaemon());
            out.writeInt(i.bytes().length);
            out.write(i.bytes());
        } else if (input instanceof Input.Tick) {
            out.writeByte(TICK);
        } else if (input instanceof Input.Shutdown) {
            out.writeByte(SHUTDOWN);
        } else {
            throw new IllegalArgumentException("no encoding for " + input);
        }
    }

    static Input decode(DataInputStream in) throws IOException {
        int kind = in.readUnsignedByte();
        return switch (kind) {
            case CONNECT -> new Input.Connect(in.readLong(), in.readUTF());
            case SUBSCRIBE -> {
                long session = in.readLong();
                int stream = in.readInt();
                boolean hasGroup = in.readBoolean();
                String group = in.readUTF();
                yield new Input.Subscribe(session, stream,
                        new StreamFilter(hasGroup ? group : null, in.readBoolean(), in.readBoolean()));
            }
            case CREDIT -> new Input.Credit(in.readLong(), in.readInt(), in.readLong());
            case CANCEL -> new Input.Cancel(in.readLong(), in.readInt());
            case JOIN -> new Input.Join(in.readLong(), in.readInt(), in.readUTF());
            case LEAVE -> new Input.Leave(in.readLong(), in.readInt(), in.readUTF());
            case MULTICAST -> {
                long session = in.readLong();
                int request = in.readInt();
                int n = in.readInt();
                List<String> destinations = new ArrayList<>(n);
                for (int k = 0; k < n; k++) {
                    destinations.add(in.readUTF());
                }
                int level = in.readInt();
                boolean selfDiscard = in.readBoolean();
                int type = in.readInt();
                int originBits = in.readInt();
                yield new Input.Multicast(session, request, destinations, level, selfDiscard, type, bytes(in),
                        originBits);
            }
            case DISCONNECT -> new Input.Disconnect(in.readLong(), in.readBoolean());
            case WRITABLE -> new Input.Writable(in.readLong(), in.readBoolean());
            case DATAGRAM -> new Input.Datagram(in.readInt(), bytes(in));
            case TICK -> new Input.Tick();
            case SHUTDOWN -> new Input.Shutdown();
            default -> throw new IOException("unknown input kind " + kind);
        };
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }

    // ------------------------------------------------------------------ configuration

    /**
     * A configuration record field by field, in declaration order: written by reflection so a field
     * added to a record is recorded without touching this codec.
     */
    private static void writeRecord(DataOutputStream out, Record r) throws IOException {
        RecordComponent[] parts = r.getClass().getRecordComponents();
        out.writeInt(parts.length);
        for (RecordComponent c : parts) {
            Object v;
            try {
                v = c.getAccessor().invoke(r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (v instanceof String s) {
                out.writeUTF(s);
            } else if (v instanceof Integer i) {
                out.writeInt(i);
            } else if (v instanceof Long l) {
                out.writeLong(l);
            } else if (v instanceof Boolean b) {
                out.writeBoolean(b);
            } else if (v instanceof Enum<?> e) {
                out.writeUTF(e.name());
            } else {
                throw new IllegalStateException("no encoding for " + c);
            }
        }
    }

    private static <R extends Record> R readRecord(DataInputStream in, Class<R> type) throws IOException {
        RecordComponent[] parts = type.getRecordComponents();
        int n = in.readInt();
        if (n != parts.length) {
            throw new IOException(type.getSimpleName() + " recorded with " + n + " fields, this version has "
                    + parts.length);
        }
        Object[] values = new Object[n];
        Class<?>[] types = new Class<?>[n];
        for (int k = 0; k < n; k++) {
            Class<?> t = parts[k].getType();
            types[k] = t;
            if (t == String.class) {
                values[k] = in.readUTF();
            } else if (t == int.class) {
                values[k] = in.readInt();
            } else if (t == long.class) {
                values[k] = in.readLong();
            } else if (t == boolean.class) {
                values[k] = in.readBoolean();
            } else if (t.isEnum()) {
                values[k] = enumValue(t, in.readUTF());
            } else {
                throw new IOException("no decoding for " + parts[k]);
            }
        }
        try {
            Constructor<R> c = type.getDeclaredConstructor(types);
            return c.newInstance(values);
        } catch (java.lang.reflect.InvocationTargetException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IOException("recorded " + type.getSimpleName() + " is invalid: " + cause.getMessage(), cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumValue(Class<?> t, String name) {
        return Enum.valueOf((Class) t, name);
    }
}

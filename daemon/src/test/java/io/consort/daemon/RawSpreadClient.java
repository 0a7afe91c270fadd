package io.consort.daemon;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A Spread 4.4 client written from CLIENT-PROTOCOL.md, byte by byte, in either byte order: for
 * what Spread's own library (which writes its host's order) cannot show on one machine, and for
 * malformed input.
 */
final class RawSpreadClient implements AutoCloseable {
    static final int JOIN = 0x10000;
    static final int LEAVE = 0x20000;
    static final int KILL = 0x40000;
    static final int AGREED = 0x10;
    static final int REG_MEMB = 0x1000;
    static final int TRANSITION = 0x2000;
    static final int CAUSED_BY_NETWORK = 0x800;

    final Socket socket;
    final DataInputStream in;
    final OutputStream out;
    final ByteOrder order;
    String privateGroup = "";

    RawSpreadClient(int port, ByteOrder order) throws IOException {
        this.socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.order = order;
    }

    /** Connects as {@code name} with the membership flag; the accept's private group, or the reject code. */
    static RawSpreadClient connect(int port, String name, ByteOrder order) throws IOException {
        RawSpreadClient c = new RawSpreadClient(port, order);
        int r = c.handshake(new byte[] {4, 4, 0}, name, true);
        if (r != 1) {
            throw new IOException("rejected: " + r);
        }
        return c;
    }

    /** Runs the handshake; 1 when accepted (privateGroup is set), else the (negative) reject code. */
    int handshake(byte[] version, String name, boolean oneByteAtATime) throws IOException {
        return handshake(version, name, oneByteAtATime, "NULL");
    }

    int handshake(byte[] version, String name, boolean oneByteAtATime, String method) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(version.length + 2 + n.length);
        b.put(version).put((byte) 1).put((byte) n.length).put(n);
        write(b.array(), oneByteAtATime);
        int len = in.readByte();
        if (len < 0) {
            return len;
        }
        byte[] list = in.readNBytes(len);
        if (!new String(list, StandardCharsets.ISO_8859_1).equals("NULL ")) {
            throw new IOException("unexpected auth list " + new String(list, StandardCharsets.ISO_8859_1));
        }
        byte[] choice = new byte[90];
        byte[] m = method.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(m, 0, choice, 0, m.length);
        write(choice, oneByteAtATime);
        int accept = in.readByte();
        if (accept != 1) {
            return accept;
        }
        in.readNBytes(3); // daemon version
        int p = in.readUnsignedByte();
        privateGroup = new String(in.readNBytes(p), StandardCharsets.ISO_8859_1);
        return 1;
    }

    private void write(byte[] bytes, boolean oneByteAtATime) throws IOException {
        if (!oneByteAtATime) {
            out.write(bytes);
            out.flush();
            return;
        }
        for (byte x : bytes) {
            out.write(x);
            out.flush();
        }
    }

    int marker() {
        return order == ByteOrder.LITTLE_ENDIAN ? 0x80000080 : 0;
    }

    /** Sends one message as the library does, in this client's byte order. */
    void send(int type, String sender, List<String> groups, int hint, byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(48 + 32 * groups.size() + payload.length).order(order);
        b.putInt(type | marker());
        b.put(name32(sender));
        b.putInt(groups.size());
        b.putInt(hint | marker());
        b.putInt(payload.length);
        for (String g : groups) {
            b.put(name32(g));
        }
        b.put(payload);
        out.write(b.array());
        out.flush();
    }

    void send(int type, List<String> groups, int messType, byte[] payload) throws IOException {
        send(type, privateGroup, groups, (messType << 8) & 0x00ffff00, payload);
    }

    static byte[] name32(String s) {
        byte[] n = new byte[32];
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(b, 0, n, 0, Math.min(31, b.length));
        return n;
    }

    /** What the daemon sent: the header fields read in the order its marker says, names, body. */
    record Message(int type, String sender, List<String> groups, int rawHint, ByteOrder hintOrder, byte[] body,
            ByteOrder order) {
        int messType() {
            return (short) ((rawHint >> 8) & 0xffff);
        }

        ByteBuffer bodyBuffer() {
            return ByteBuffer.wrap(body).order(order);
        }

        int[] groupId() {
            ByteBuffer b = bodyBuffer();
            return new int[] {b.getInt(0), b.getInt(4), b.getInt(8)};
        }

        /** The vs-sets of a regular membership, and (last element) the receiver's set as found by its offset. */
        List<List<String>> vsSets() {
            ByteBuffer b = bodyBuffer();
            int n = b.getInt(12);
            List<List<String>> sets = new ArrayList<>();
            int at = 20;
            for (int i = 0; i < n; i++) {
                int count = b.getInt(at);
                at += 4;
                List<String> set = new ArrayList<>();
                for (int j = 0; j < count; j++) {
                    set.add(cString(body, at));
                    at += 32;
                }
                sets.add(set);
            }
            return sets;
        }

        int localOffset() {
            return bodyBuffer().getInt(16);
        }
    }

    Message receive() throws IOException {
        byte[] h = in.readNBytes(48);
        if (h.length < 48) {
            throw new java.io.EOFException("connection closed");
        }
        ByteBuffer le = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
        ByteOrder o = (le.getInt(0) & 0x80000080) == 0x80000080 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        ByteBuffer b = ByteBuffer.wrap(h).order(o);
        int type = b.getInt(0) & ~0x80000080;
        int groups = b.getInt(36);
        int dataLen = b.getInt(44);
        ByteOrder ho = (le.getInt(40) & 0x80000080) == 0x80000080 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        int hint = ByteBuffer.wrap(h).order(ho).getInt(40) & ~0x80000080;
        if ((type & 0x400000) != 0) {
            in.readNBytes(4); // old type
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < groups; i++) {
            names.add(cString(in.readNBytes(32), 0));
        }
        byte[] body = in.readNBytes(dataLen);
        return new Message(type, cString(h, 4), names, hint, ho, body, o);
    }

    static String cString(byte[] b, int at) {
        int end = at;
        while (end < at + 32 && end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, at, end - at, StandardCharsets.ISO_8859_1);
    }

    /** Whether the daemon closed the connection (reads EOF within the socket timeout). */
    boolean closedByDaemon() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

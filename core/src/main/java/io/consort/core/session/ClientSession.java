package io.consort.core.session;

import org.jspecify.annotations.Nullable;

import io.consort.core.ErrorCode;
import io.consort.core.Event;
import io.consort.core.MessageEvent;
import io.consort.core.Output;
import io.consort.core.ConsortException;
import io.consort.core.StreamFilter;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A client session inside the engine: its private name, its streams and their queues, and the
 * accounting that keeps its daemon-side buffer bounded.
 */
public final class ClientSession {
    private final long id;
    private final String privateName;
    private final Map<Integer, SessionStream> streams = new LinkedHashMap<>();
    private long bufferedBytes;
    private boolean writable = true;
    private int sendCreditsAvailable;
    private int withheldCredits;
    private long unorderedBytes;

    /** A session with {@code sendWindow} send credits. */
    public ClientSession(long id, String privateName, int sendWindow) {
        this.id = id;
        this.privateName = privateName;
        this.sendCreditsAvailable = sendWindow;
    }

    public long id() {
        return id;
    }

    public String privateName() {
        return privateName;
    }

    /** Bytes of events waiting for credits or for the connection to drain. */
    public long bufferedBytes() {
        return bufferedBytes;
    }

    /** Opens stream {@code streamId}. */
    public void subscribe(int streamId, StreamFilter filter) {
        if (streams.containsKey(streamId)) {
            throw new ConsortException(ErrorCode.PROTOCOL_VIOLATION, "stream " + streamId + " is already open");
        }
        streams.put(streamId, new SessionStream(streamId, filter));
    }

    /** Closes stream {@code streamId} and frees what it held; unknown ids are ignored (the cancel may cross a close). */
    public void cancel(int streamId) {
        SessionStream s = streams.remove(streamId);
        if (s != null) {
            for (Event e : s.queue) {
                bufferedBytes -= e.sizeBytes();
            }
        }
    }

    /** Grants {@code credits} to stream {@code streamId} and delivers what they allow. */
    public void credit(int streamId, long credits, Consumer<Output> out) {
        if (credits <= 0) {
            throw new ConsortException(ErrorCode.PROTOCOL_VIOLATION, "credits must be positive, were " + credits);
        }
        SessionStream s = streams.get(streamId);
        if (s == null) {
            return;
        }
        s.grant(credits);
        drain(s, out);
    }

    /** The connection towards the client can (or cannot) take more without queueing in the driver. */
    public void writable(boolean writable, Consumer<Output> out) {
        this.writable = writable;
        if (writable) {
            for (SessionStream s : streams.values()) {
                drain(s, out);
            }
        }
    }

    /**
     * Routes an event to every stream it matches. A message reaches a group stream only through a
     * group the session receives it by ({@code receivingGroups}).
     */
    public void enqueue(Event event, Collection<String> receivingGroups, Consumer<Output> out) {
        for (SessionStream s : streams.values()) {
            if (!s.filter.matches(event)) {
                continue;
            }
            if (event instanceof MessageEvent && s.filter.group() != null
                    && !receivingGroups.contains(s.filter.group())) {
                continue;
            }
            if (writable && s.queue.isEmpty() && s.credits() > 0) {
                s.spend();
                out.accept(new Output.Deliver(id, s.id, event));
            } else {
                s.queue.add(event);
                bufferedBytes += event.sizeBytes();
            }
        }
    }

    private void drain(SessionStream s, Consumer<Output> out) {
        while (writable && s.credits() > 0 && !s.queue.isEmpty()) {
            Event e = s.queue.poll();
            bufferedBytes -= e.sizeBytes();
            s.spend();
            out.accept(new Output.Deliver(id, s.id, e));
        }
    }

    /** Takes one send credit for a multicast. */
    public void takeSendCredit() {
        if (sendCreditsAvailable <= 0) {
            throw new ConsortException(ErrorCode.PROTOCOL_VIOLATION, "multicast sent without a send credit");
        }
        sendCreditsAvailable--;
    }

    /**
     * The daemon accepted a multicast: the credit comes back once it is told to the client as an
     * acknowledgement ({@link #takeReturnedCredits()}). Until then the client may not spend it, so
     * holding back SendCredit outputs really holds back a sender that ignores the protocol.
     */
    public void acceptedMulticast(int payloadBytes) {
        withheldCredits++;
        unorderedBytes -= payloadBytes;
    }

    /** The daemon took a multicast of {@code payloadBytes} into the ring; it counts until it is ordered. */
    public void submittedMulticast(int payloadBytes) {
        unorderedBytes += payloadBytes;
    }

    /**
     * Whether the daemon has stopped reading this session's connection, and whether it should now: reading
     * pauses above {@code windowBytes} unordered and resumes at or below it. Returns the change, if any.
     */
    public @Nullable Boolean readingPausedChange(long windowBytes) {
        boolean pause = unorderedBytes > windowBytes;
        if (pause == readingPaused) {
            return null;
        }
        readingPaused = pause;
        return pause;
    }

    private boolean readingPaused;

    /** Payload bytes of this session's multicasts taken into the ring and not yet ordered. */
    public long unorderedBytes() {
        return unorderedBytes;
    }

    /** The daemon refused a multicast: the client gets its credit back with the refusal itself. */
    public void refusedMulticast() {
        sendCreditsAvailable++;
    }

    /** The credits returned since the last flush, to be told to the client; they become spendable now. */
    public int takeReturnedCredits() {
        int n = withheldCredits;
        withheldCredits = 0;
        sendCreditsAvailable += n;
        return n;
    }

    /** Whether credits are waiting to be told to the client. */
    public boolean hasReturnedCredits() {
        return withheldCredits > 0;
    }

    /**
     * Checks this session's bookkeeping, fail-stop: the bytes it buffers are never negative, nor
     * its credits or its unordered multicast bytes; under -ea, the buffered bytes are exactly what its streams queue.
     */
    public void checkInvariants() {
        if (bufferedBytes < 0 || sendCreditsAvailable < 0 || withheldCredits < 0 || unorderedBytes < 0) {
            throw new IllegalStateException("session " + privateName + " bookkeeping broken: buffered " + bufferedBytes
                    + ", send credits " + sendCreditsAvailable + ", withheld " + withheldCredits
                    + ", unordered " + unorderedBytes);
        }
        assert bufferedBytes == queuedBytes() : "session " + privateName + " buffers " + bufferedBytes
                + " bytes but queues " + queuedBytes();
    }

    private long queuedBytes() {
        long n = 0;
        for (SessionStream st : streams.values()) {
            if (st.credits() < 0) {
                throw new IllegalStateException("stream " + st.id + " of " + privateName + " has negative credits");
            }
            for (Event e : st.queue) {
                n += e.sizeBytes();
            }
        }
        return n;
    }
}

package io.consort.bench.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CPU per message: the measured window from the result lines, and a process's CPU at a time between samples. */
class CpuPerMessageTest {
    @Test
    void theWindowSpansEveryReceiversMeasuredPart() {
        List<String> lines = List.of("RESULT member=1 window_start_ns=100 window_end_ns=900 error=-",
                "RESULT member=2 window_start_ns=80 window_end_ns=1000 error=-");
        assertArrayEquals(new long[] {80, 1000}, RunResult.window(lines));
        assertNull(RunResult.window(List.of("RESULT member=1 error=-")), "an old member without the window");
    }

    @Test
    void cpuBetweenSamplesIsInterpolatedAndHeldAtTheEnds() {
        List<long[]> series = List.of(new long[] {1_000, 10_000}, new long[] {2_000, 30_000});
        assertEquals(20_000, CpuSampler.at(series, 1_500));
        assertEquals(10_000, CpuSampler.at(series, 500), "before the first sample: the first value");
        assertEquals(30_000, CpuSampler.at(series, 9_000), "after the last: the last value");
    }

    @Test
    void aPayloadReadInPlaceCountsAsTheCopiedOne() throws Exception {
        ReceiverStats copied = new ReceiverStats(0, 2, 64);
        ReceiverStats inPlace = new ReceiverStats(0, 2, 64);
        for (long i = 0; i < 2; i++) {
            byte[] p = Payload.make(Payload.tag(0, i), System.nanoTime(), 64);
            copied.onMessage(p, 0, p.length);
            inPlace.onMessage(ByteBuffer.wrap(p).asReadOnlyBuffer());
        }
        assertEquals(RunResult.parse(copied.resultLine("t", "r", 1)).get("digest"),
                RunResult.parse(inPlace.resultLine("t", "r", 1)).get("digest"));
        assertEquals("0", RunResult.parse(inPlace.resultLine("t", "r", 1)).get("missing"));
    }
}

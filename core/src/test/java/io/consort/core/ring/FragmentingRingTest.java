package io.consort.core.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.EngineConfig;
import io.consort.core.ServiceLevel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FragmentingRingTest {
    /** Records what comes out in order. */
    private static final class Recorder implements OrderedSink {
        final List<AgreedItem> items = new ArrayList<>();
        final List<Long> seqs = new ArrayList<>();

        @Override
        public void deliver(long configurationId, long sequence, AgreedItem item) {
            items.add(item);
            seqs.add(sequence);
        }
    }

    /** A ring that orders what it is given, and lets a test look at what passes through. */
    private static final class PassThrough implements Ring {
        final List<AgreedItem> submitted = new ArrayList<>();
        int next;
        long seq;

        @Override
        public void submit(AgreedItem item) {
            // Every piece must fit a datagram as a ring message.
            assertThat(ItemCodec.encode(item).length + FragmentingRing.MESSAGE_OVERHEAD_BYTES).isLessThanOrEqualTo(1400);
            submitted.add(item);
        }

        @Override
        public int drainTo(OrderedSink sink) {
            int n = 0;
            while (next < submitted.size()) {
                sink.deliver(1, ++seq, submitted.get(next++));
                n++;
            }
            return n;
        }

        @Override
        public long configurationId() {
            return 1;
        }
    }

    @Test
    void largeItemsAreCutToDatagramsAndComeOutWholeInOrder() {
        PassThrough inner = new PassThrough();
        FragmentingRing ring = new FragmentingRing(inner, EngineConfig.defaults());
        SplittableRandom r = new SplittableRandom(3);
        List<byte[]> payloads = new ArrayList<>();
        Recorder out = new Recorder();
        for (int i = 0; i < 30; i++) {
            byte[] p = new byte[i % 3 == 0 ? 10 : r.nextInt(1, 200_000)];
            r.nextBytes(p);
            payloads.add(p);
            ring.submit(new AgreedItem.Data("#u#d1", List.of("g"), i % 2 == 0 ? ServiceLevel.SAFE : ServiceLevel.FIFO,
                    i, false, p));
            if (i % 4 == 0) {
                ring.drainTo(out);
            }
        }
        while (ring.drainTo(out) > 0) {
            // until all is out
        }
        assertThat(out.items).hasSize(30);
        for (int i = 0; i < 30; i++) {
            AgreedItem.Data d = (AgreedItem.Data) out.items.get(i);
            assertThat(d.type()).isEqualTo(i);
            assertThat(d.payload()).isEqualTo(payloads.get(i));
        }
        assertThat(out.seqs).isSorted();
        assertThat(ring.fragmentedItems()).isEqualTo(20);
        // Only the last piece of a SAFE item is SAFE.
        List<AgreedItem.Fragment> frags = inner.submitted.stream().filter(x -> x instanceof AgreedItem.Fragment)
                .map(x -> (AgreedItem.Fragment) x).toList();
        assertThat(frags).isNotEmpty().allSatisfy(f -> {
            if (f.index() != f.count() - 1) {
                assertThat(f.safe()).isFalse();
            }
        });
        assertThat(frags.stream().filter(AgreedItem.Fragment::safe).count()).isEqualTo(10);
    }

    @Test
    void aFragmentThatDoesNotContinueItsItemIsDroppedAndTheRestGoesOn() {
        Recorder out = new Recorder();
        PassThrough inner = new PassThrough();
        FragmentingRing ring = new FragmentingRing(inner, EngineConfig.defaults());
        // Someone else's stray fragments (a tail without a start, then a start never finished).
        inner.submit(new AgreedItem.Fragment("#x#d2", 5, 3, 9, false, new byte[10]));
        inner.submit(new AgreedItem.Fragment("#x#d2", 6, 0, 9, false, new byte[10]));
        inner.submit(new AgreedItem.Fragment("#x#d2", 6, 2, 9, false, new byte[10]));
        ring.submit(new AgreedItem.Join("#u#d1", "g"));
        ring.drainTo(out);
        assertThat(out.items).containsExactly(new AgreedItem.Join("#u#d1", "g"));
        assertThat(ring.discardedFragments()).isEqualTo(3);
    }

    @Test
    void fragmentsSurviveTheCodec() {
        AgreedItem.Fragment f = new AgreedItem.Fragment("#u#d1", 77, 2, 5, true, new byte[] {1, 2, 3});
        AgreedItem back = ItemCodec.decode(ItemCodec.encode(f));
        assertThat(back).isInstanceOfSatisfying(AgreedItem.Fragment.class, g -> {
            assertThat(g.session()).isEqualTo("#u#d1");
            assertThat(g.messageId()).isEqualTo(77);
            assertThat(g.index()).isEqualTo(2);
            assertThat(g.count()).isEqualTo(5);
            assertThat(g.safe()).isTrue();
            assertThat(g.chunk()).containsExactly(1, 2, 3);
        });
    }

    /** A ring that sends what it is told to, and installs a new configuration when told to. */
    private static final class Stepped implements Ring {
        final java.util.ArrayDeque<AgreedItem> unsent = new java.util.ArrayDeque<>();
        final java.util.ArrayDeque<AgreedItem> ordered = new java.util.ArrayDeque<>();
        long config = 1;
        boolean newConfig;
        long seq;

        @Override
        public void submit(AgreedItem item) {
            unsent.add(item);
        }

        void send(int n) {
            for (int i = 0; i < n && !unsent.isEmpty(); i++) {
                ordered.add(unsent.poll());
            }
        }

        @Override
        public int drainTo(OrderedSink sink) {
            int n = 0;
            AgreedItem item;
            while ((item = ordered.poll()) != null) {
                sink.deliver(config, ++seq, item);
                n++;
            }
            if (newConfig) {
                newConfig = false;
                config++;
                sink.regular(config, List.of(1));
                n++;
            }
            return n;
        }

        @Override
        public List<AgreedItem> withdrawClientItems() {
            List<AgreedItem> items = new ArrayList<>(unsent);
            unsent.clear();
            return items;
        }

        @Override
        public long configurationId() {
            return config;
        }
    }

    @Test
    void anItemCutByAConfigurationChangeComesOutWholeBeforeEverythingItsDaemonSubmittedAfterIt() {
        Stepped inner = new Stepped();
        FragmentingRing ring = new FragmentingRing(inner, EngineConfig.defaults());
        SplittableRandom r = new SplittableRandom(5);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            byte[] p = new byte[i % 2 == 1 ? 10 : 5_000];
            r.nextBytes(p);
            payloads.add(p);
            ring.submit(new AgreedItem.Data("#u#d1", List.of("g"), ServiceLevel.FIFO, i, false, p));
        }
        // Several items are in the ring at once: the first is cut after two of its fragments.
        assertThat(inner.unsent.size()).isGreaterThan(6);
        Recorder out = new Recorder();
        inner.send(2);
        inner.newConfig = true;
        ring.drainTo(out);
        assertThat(out.items).isEmpty();
        assertThat(ring.resubmittedItems()).isEqualTo(1);
        inner.send(Integer.MAX_VALUE);
        ring.drainTo(out);
        assertThat(out.items).hasSize(6);
        for (int i = 0; i < 6; i++) {
            AgreedItem.Data d = (AgreedItem.Data) out.items.get(i);
            assertThat(d.type()).isEqualTo(i);
            assertThat(d.payload()).isEqualTo(payloads.get(i));
        }
    }
}

package io.consort.bench.harness;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * One JGroups 5.4 member process of the comparison. The stack is JGroups' own bundled
 * {@code udp.xml} with these edits, and no others (see {@link #stackXml}):
 *
 * <ul>
 *   <li>{@code bind_addr="127.0.0.1"}, one fixed {@code bind_port} per member: loopback only;</li>
 *   <li>{@code ip_mcast="false"}: Linux's {@code lo} has no MULTICAST flag here, so IP multicast
 *       would leave through the default route; JGroups then sends a group message as one unicast
 *       datagram per other member, as Consort's daemons do;</li>
 *   <li>{@code PING} replaced by {@code TCPPING} listing the three members' ports, since PING's
 *       discovery needs IP multicast;</li>
 *   <li>with {@code --sequencer}, {@code SEQUENCER} above {@code pbcast.GMS} for total order (where
 *       JGroups' own {@code sequencer.xml} puts it).</li>
 * </ul>
 *
 * <p>Member 0 sends {@code warmup + count} messages; every member (the sender too: it delivers its
 * own messages) checks and measures what it delivers and prints one {@code RESULT} line, then
 * waits for its standard input to close (the orchestrator's signal that all are done) before it
 * leaves, so no member's departure disturbs another's run.
 */
@Command(name = "jgroups-member", mixinStandardHelpOptions = true,
        description = "One JGroups member process (started by 'compare'; runnable alone for debugging).")
public final class JGroupsMember implements Callable<Integer> {
    @Option(names = "--index", required = true, description = "This member's index, 0 is the sender.")
    int index;

    @Option(names = "--members", defaultValue = "3")
    int members;

    @Option(names = "--base-port", defaultValue = "47800", description = "Member i binds UDP to 127.0.0.1:base+i.")
    int basePort;

    @Option(names = "--cluster", defaultValue = "consort-bench")
    String cluster;

    @Option(names = "--sequencer", description = "Add SEQUENCER for total order.")
    boolean sequencer;

    @Mixin
    FloodOptions flood = new FloodOptions();

    @Option(names = "--senders", defaultValue = "1", description = "Members 0..senders-1 send.")
    int senders;

    @Option(names = "--timeout-s", defaultValue = "120", description = "Bound on the whole run.")
    long timeoutSeconds;

    /** JGroups' bundled udp.xml with the edits this class's Javadoc lists. */
    static String stackXml(boolean sequencer, int basePort, int index, int members) throws Exception {
        String xml;
        try (InputStream in = JChannel.class.getClassLoader().getResourceAsStream("udp.xml")) {
            if (in == null) {
                throw new IllegalStateException("udp.xml is not on the classpath (JGroups jar)");
            }
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder hosts = new StringBuilder();
        for (int i = 0; i < members; i++) {
            hosts.append(i == 0 ? "" : ",").append("127.0.0.1[").append(basePort + i).append(']');
        }
        String edited = xml.replaceFirst("<UDP\\b", "<UDP bind_addr=\"127.0.0.1\" bind_port=\"" + (basePort + index)
                + "\" port_range=\"0\" ip_mcast=\"false\"")
                .replaceFirst("<PING\\s*/>", "<TCPPING initial_hosts=\"" + hosts + "\" port_range=\"0\"/>");
        if (sequencer) {
            edited = edited.replaceFirst("(<pbcast\\.GMS[^>]*/>)", "$1\n    <SEQUENCER/>");
        }
        if (edited.equals(xml) || !edited.contains("TCPPING") || (sequencer && !edited.contains("<SEQUENCER/>"))) {
            throw new IllegalStateException("udp.xml did not look as expected:\n" + xml);
        }
        return edited;
    }

    @Override
    public Integer call() throws Exception {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        String system = sequencer ? "jgroups-seq" : "jgroups-noseq";
        ReceiverStats stats = flood.receiverStats(senders);
        String xml = stackXml(sequencer, basePort, index, members);
        try (JChannel ch = new JChannel(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))) {
            ch.setDiscardOwnMessages(false);
            ch.setName("m" + index);
            Object viewLock = new Object();
            ch.setReceiver(new Receiver() {
                @Override
                public void receive(Message msg) {
                    stats.onMessage(msg.getArray(), msg.getOffset(), msg.getLength());
                }

                @Override
                public void viewAccepted(View view) {
                    synchronized (viewLock) {
                        viewLock.notifyAll();
                    }
                }
            });
            ch.connect(cluster);
            synchronized (viewLock) {
                while (ch.getView().size() < members) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        System.out.println("RESULT system=" + system + " role=member member=" + index
                                + " error=view_never_had_" + members + "_members:" + ch.getView());
                        return 1;
                    }
                    viewLock.wait(Math.min(left, 200));
                }
            }
            System.out.println("READY " + ch.getView());
            System.out.flush();
            if (index < senders) {
                Pacer pacer = new Pacer(flood.rate);
                long total = flood.perSender();
                for (long i = 0; i < total; i++) {
                    ch.send(new BytesMessage(null, flood.payload(index, i, pacer)));
                    if ((i & 1023) == 0 && System.nanoTime() > deadline) {
                        break;
                    }
                }
            }
            boolean ok = stats.await(Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
            System.out.println(stats.resultLine(system, index < senders ? "sender" : "receiver", index));
            System.out.flush();
            MemberIo.awaitStdinClosed(deadline);
            return ok ? 0 : 1;
        }
    }
}

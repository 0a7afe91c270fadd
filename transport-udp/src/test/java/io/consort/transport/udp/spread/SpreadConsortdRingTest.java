package io.consort.transport.udp.spread;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.transport.udp.Consortd;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three consortd processes started from one spread.conf (daemons listed out of name order), each
 * on its own 127.0.0.x as Spread's daemons would be, with unmodified Spread programs (spprobe, on Spread's library) on each: the
 * Spread endpoint is on by default on the segment port, views agree across the ring, and a daemon
 * that crashes gives the others a transitional and a NETWORK membership.
 */
class SpreadConsortdRingTest {
    @TempDir
    Path dir;
    private final List<Process> daemons = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        for (Process p : daemons) {
            p.destroy();
        }
        for (Process p : daemons) {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** A port free for TCP on 127.0.0.1-3 and, one above it, for UDP there too. */
    private static int freeSegmentPort() throws IOException {
        SplittableRandom r = new SplittableRandom(System.nanoTime());
        for (int i = 0; i < 200; i++) {
            int port = r.nextInt(20_000, 60_000);
            List<AutoCloseable> held = new ArrayList<>();
            try {
                for (int x = 1; x <= 3; x++) {
                    InetAddress a = InetAddress.getByName("127.0.0." + x);
                    held.add(new ServerSocket(port, 1, a));
                    held.add(new DatagramSocket(new InetSocketAddress(a, port + 1)));
                }
                return port;
            } catch (IOException e) {
                // taken somewhere: another
            } finally {
                for (AutoCloseable c : held) {
                    try {
                        c.close();
                    } catch (Exception ignored) {
                        // closing a probe socket
                    }
                }
            }
        }
        throw new IOException("no free segment port");
    }

    private CompletableFuture<Void> start(Path conf, int id) throws IOException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), Consortd.class.getName(),
                "--spread-conf", conf.toString(), "--name", "d" + id, "--host", "127.0.0." + id);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        daemons.add(p);
        CompletableFuture<Void> serving = new CompletableFuture<>();
        Path log = dir.resolve("d" + id + ".log");
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    var w = Files.newBufferedWriter(log)) {
                for (String l; (l = r.readLine()) != null;) {
                    w.write(l);
                    w.newLine();
                    w.flush();
                    if (l.contains("Spread 4.4 clients on 127.0.0." + id)) {
                        serving.complete(null);
                    }
                }
            } catch (IOException e) {
                // ended
            }
            serving.completeExceptionally(new IllegalStateException("d" + id + " exited; see " + log));
        }, "consortd-d" + id);
        t.setDaemon(true);
        t.start();
        return serving;
    }

    @Test
    void spreadProgramsOnAThreeDaemonRingFromOneSpreadConf() throws Exception {
        SpreadTools.probe();
        int port = freeSegmentPort();
        Path conf = dir.resolve("spread.conf");
        Files.writeString(conf, "Spread_Segment 127.0.0.255:" + port + " {\n"
                + "    d3 127.0.0.3\n    d1 127.0.0.1\n    d2 127.0.0.2\n}\nToken_Timeout = 1000\n");
        List<CompletableFuture<Void>> serving = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            serving.add(start(conf, id));
        }
        for (CompletableFuture<Void> s : serving) {
            s.get(90, TimeUnit.SECONDS);
        }
        List<SpreadProbe> probes = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            SpreadProbe p = SpreadProbe.start();
            closeables.add(p);
            probes.add(p);
            assertThat(p.ask("connect " + port + "@127.0.0." + id + " u" + id + " 1")).isEqualTo("CONNECTED #u" + id + "#d" + id);
        }
        // Joins while the ring may still be forming: each member sees every join, and the same views.
        for (int id = 1; id <= 3; id++) {
            probes.get(id - 1).ask("join g");
        }
        List<SpreadLine> last = new ArrayList<>();
        for (SpreadProbe p : probes) {
            SpreadLine l;
            do {
                l = SpreadLine.parse(p.recv());
            } while (!"MEMB".equals(l.kind()) || l.get("members").split(",").length < 3);
            last.add(l);
        }
        // Spread's member order, the same at every member: by daemon in spread.conf's order, whatever the joins'.
        assertThat(last.get(0).get("members")).isEqualTo("#u3#d3,#u1#d1,#u2#d2");
        for (SpreadLine l : last) {
            assertThat(l.get("members")).isEqualTo(last.get(0).get("members"));
            assertThat(l.get("gid")).isEqualTo(last.get(0).get("gid"));
        }
        List<String> order = List.of(last.get(0).get("members").split(","));
        probes.get(0).ask("mcast 0x20 8 ring-safe g");
        for (SpreadProbe p : probes) {
            SpreadLine m = SpreadLine.parse(p.recv());
            assertThat(m.fields()).containsEntry("sender", "#u1#d1").containsEntry("service", "0x20")
                    .containsEntry("type", "8").containsEntry("text", "ring-safe");
        }

        // d3 crashes: u1 and u2 see a transitional membership, then NETWORK without u3, one vs-set.
        daemons.get(2).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        List<SpreadLine> network = new ArrayList<>();
        for (SpreadProbe p : probes.subList(0, 2)) {
            SpreadLine t = SpreadLine.parse(p.recv());
            assertThat(t.kind()).isEqualTo("TRANS");
            assertThat(t.get("gid")).isEqualTo(last.get(0).get("gid"));
            network.add(SpreadLine.parse(p.recv()));
        }
        for (SpreadLine n : network) {
            String survivors = String.join(",", order.stream().filter(m -> !m.equals("#u3#d3")).toList());
            assertThat(n.fields()).containsEntry("cause", "NETWORK").containsEntry("members", survivors)
                    .containsEntry("sets", "[" + survivors + "]").containsEntry("local", "0");
            assertThat(n.get("gid")).isEqualTo(network.get(0).get("gid"));
        }
    }
}

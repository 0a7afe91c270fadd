package io.consort.samples.flooder;

import io.consort.core.EngineConfig;
import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The flooder's command line: one sender, {@code --receivers} receivers, one group, one daemon
 * (running elsewhere, or {@code --embedded} in this process). Prints a readable table, then one
 * {@code FLOODER key=value ...} line for scripts. Exits 1 if any receiver lost, duplicated or
 * reordered a message its level promised, or the run outlived {@code --timeout-s}.
 *
 * <p>From the repository root, with nothing installed:
 *
 * <pre>
 * mvn -q -B -pl samples -am compile exec:java -Dexec.skip=true \
 *     -Dexec.mainClass=io.consort.samples.flooder.FlooderMain \
 *     -Dexec.args="--embedded --port 0 --messages 200000 --warmup 50000 --size 1000 --receivers 1"
 * </pre>
 */
@Command(name = "consort-flooder", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measures messages per second and latency percentiles between sessions through one daemon.")
public final class FlooderMain implements Callable<Integer> {
    @Option(names = "--host", description = "the daemon's host (default: ${DEFAULT-VALUE})")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "the daemon's client port (default: ${DEFAULT-VALUE}); "
            + "with --embedded, 0 picks a free one")
    int port = DaemonOptions.DEFAULT_PORT;

    @Option(names = "--embedded", description = "run the daemon in this process")
    boolean embedded;

    @Option(names = "--messages", description = "measured messages (default: ${DEFAULT-VALUE})")
    long messages = FlooderConfig.defaults().messages();

    @Option(names = "--warmup", description = "messages sent first and not measured (default: ${DEFAULT-VALUE})")
    long warmup = FlooderConfig.defaults().warmup();

    @Option(names = "--size", description = "payload bytes, at least 16 (default: ${DEFAULT-VALUE})")
    int size = FlooderConfig.defaults().sizeBytes();

    @Option(names = "--level", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    ServiceLevel level = FlooderConfig.defaults().level();

    @Option(names = "--receivers", description = "receiving sessions (default: ${DEFAULT-VALUE})")
    int receivers = FlooderConfig.defaults().receivers();

    @Option(names = "--rate", description = "offered messages per second; 0 = flat out (default: ${DEFAULT-VALUE})")
    long rate;

    @Option(names = "--timeout-s", description = "bound on the whole run, seconds (default: ${DEFAULT-VALUE})")
    long timeoutSeconds = FlooderConfig.defaults().timeout().toSeconds();

    @Option(names = "--hold-back-senders", description = "with --embedded: when a receiver falls behind, hold "
            + "back senders instead of disconnecting it (the default, Spread's behaviour)")
    boolean holdBackSenders;

    @Option(names = "--group", description = "the group to flood (default: ${DEFAULT-VALUE})")
    String group = FlooderConfig.defaults().group();

    /** Runs the flooder once; exits 0 when every receiver got what its level promised. */
    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new FlooderMain()).setCaseInsensitiveEnumValuesAllowed(true);
        System.exit(cl.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        FlooderConfig config = new FlooderConfig(messages, warmup, size, level, receivers, rate,
                Duration.ofSeconds(timeoutSeconds), group);
        if (holdBackSenders && !embedded) {
            System.err.println("--hold-back-senders configures the embedded daemon; a running daemon keeps its own policy");
            return 2;
        }
        EngineConfig engine = EngineConfig.defaults().withSlowConsumerPolicy(holdBackSenders
                ? EngineConfig.SlowConsumerPolicy.HOLD_BACK_SENDERS : EngineConfig.SlowConsumerPolicy.DISCONNECT);
        EmbeddedDaemon daemon = embedded ? EmbeddedDaemon.start(DaemonOptions.defaults().withHost(host).withPort(port)
                .withEngine(engine)) : null;
        try {
            ConsortClient client = ConsortClient.create().host(host).port(daemon != null ? daemon.port() : port);
            FlooderResult result;
            try {
                result = new Flooder(client, config).run();
            } catch (IllegalStateException e) {
                System.err.println("FAILED: " + e.getMessage());
                return 1;
            }
            System.out.print(result.table());
            System.out.println(result.summaryLine());
            return 0;
        } finally {
            if (daemon != null) {
                daemon.close();
            }
        }
    }
}

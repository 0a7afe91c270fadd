package io.consort.transport.udp;

import io.consort.reactive.daemon.DaemonOptions;
import io.consort.reactive.daemon.EmbeddedDaemon;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * consortd, the Consort daemon. With no configuration it runs one daemon named "localhost" for
 * clients on 127.0.0.1:4803. SIGTERM (or Ctrl-C) is a graceful stop: every client is told
 * DAEMON_SHUTDOWN before its connection closes.
 *
 * <pre>
 * consortd                        # the single-machine default
 * consortd --config consort.yaml  # see DaemonConfigFile for the keys
 * consortd --port 5803 --name d2
 * </pre>
 */
@Command(name = "consortd", mixinStandardHelpOptions = true, version = "consortd 0.1.0",
        description = {"The Consort daemon: reliable, ordered group communication for client sessions.",
            "With no options it serves clients on 127.0.0.1:4803 as daemon 'localhost'."},
        footer = {"", "Configuration file keys (YAML, all optional):",
            "  daemon.name, daemon.host, daemon.clientPort,",
            "  limits.maxMessageBytes, limits.maxGroupsPerMessage, limits.maxSessions,",
            "  limits.sessionBufferBytesMax, limits.sendWindowMessages,",
            "  limits.slowConsumerPolicy (disconnect | hold-back-senders).",
            "Command-line options override the file."})
public final class Consortd implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, description = "YAML configuration file.")
    @Nullable Path config;

    @Option(names = "--host", description = "Address to listen on for clients (default 127.0.0.1).")
    @Nullable String host;

    @Option(names = {"-p", "--port"}, description = "Client port (default 4803); 0 picks a free one.",
            defaultValue = "-1", showDefaultValue = CommandLine.Help.Visibility.NEVER)
    int port = -1;

    @Option(names = {"-n", "--name"}, description = "Daemon name, the second part of private names (default localhost).")
    @Nullable String name;

    /** The options the command line and the file describe together. */
    DaemonOptions options() {
        DaemonOptions options = DaemonOptions.defaults();
        if (config != null) {
            options = DaemonConfigFile.read(config, options);
        }
        if (host != null) {
            options = options.withHost(host);
        }
        if (port >= 0) {
            options = options.withPort(port);
        }
        if (name != null) {
            options = options.withEngine(options.engine().withDaemonName(name));
        }
        return options.withEngine(options.engine().withIncarnation(Math.max(1, System.currentTimeMillis())));
    }

    @Override
    public Integer call() throws Exception {
        DaemonOptions options;
        try {
            options = options();
        } catch (DaemonConfigFile.ConfigException | IllegalArgumentException e) {
            System.err.println("consortd: " + e.getMessage());
            return 2;
        }
        EmbeddedDaemon daemon = EmbeddedDaemon.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            stopped.countDown();
        }, "consortd-shutdown"));
        System.out.println("consortd: daemon " + options.engine().daemonName() + " serving clients on "
                + daemon.host() + ":" + daemon.port());
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** Runs consortd. */
    public static void main(String[] args) {
        int code = new CommandLine(new Consortd()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}

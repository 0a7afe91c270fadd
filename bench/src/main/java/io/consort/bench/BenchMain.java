package io.consort.bench;

import java.util.Set;
import picocli.CommandLine;

/**
 * The entry point of {@code consort-bench.jar}. With a harness subcommand as its first argument it
 * runs that subcommand (see {@link BenchCommand}); otherwise its arguments go to JMH's own
 * command line, so {@code java -jar consort-bench.jar EngineRingBenchmark -f 1} runs a benchmark.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        CommandLine cl = BenchCommand.commandLine();
        Set<String> subcommands = cl.getSubcommands().keySet();
        if (args.length > 0 && (subcommands.contains(args[0]) || args[0].equals("harness"))) {
            String[] rest = args[0].equals("harness") ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
            int code = cl.execute(rest);
            System.exit(code);
        }
        org.openjdk.jmh.Main.main(args);
    }
}

package io.consort.bench;

import io.consort.bench.harness.CompareCommand;
import io.consort.bench.harness.ConsortLoad;
import io.consort.bench.harness.ConsortMember;
import io.consort.bench.harness.JGroupsMember;
import io.consort.bench.harness.PlotCommand;
import io.consort.bench.harness.SpflooderCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The harness's command line: {@code java -jar consort-bench.jar <subcommand> ...}. */
@Command(name = "consort-bench", mixinStandardHelpOptions = true,
        description = {"Consort benchmarks. With a subcommand, the side-by-side harness;",
            "otherwise the arguments go to JMH (e.g. EngineRingBenchmark -f 1 -wi 3 -i 5)."},
        subcommands = {CompareCommand.class, JGroupsMember.class, ConsortMember.class, ConsortLoad.class, PlotCommand.class,
            SpflooderCommand.class,
            CommandLine.HelpCommand.class})
public final class BenchCommand implements Runnable {
    static CommandLine commandLine() {
        return new CommandLine(new BenchCommand());
    }

    @Override
    public void run() {
        commandLine().usage(System.out);
    }
}

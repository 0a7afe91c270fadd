package io.consort.bench.harness;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** Per-column medians over a series' successful runs (so one median row may mix runs). */
final class Medians {
    private Medians() {
    }

    static RunResult of(List<RunResult> runs) {
        List<RunResult> ok = runs.stream().filter(RunResult::ok).toList();
        if (ok.isEmpty()) {
            return null;
        }
        RunResult f = ok.get(0);
        return new RunResult(f.system(), f.daemons(), f.sizeBytes(), f.rate(), 0,
                median(ok, RunResult::msgsPerSecond), median(ok, RunResult::mbPerSecond),
                median(ok, RunResult::p50Micros), median(ok, RunResult::p99Micros),
                median(ok, RunResult::p999Micros), median(ok, RunResult::maxMicros), true, "",
                median(ok, RunResult::cpuMicrosPerMessage));
    }

    static double median(List<RunResult> runs, ToDoubleFunction<RunResult> f) {
        double[] v = runs.stream().mapToDouble(f).sorted().toArray();
        if (v.length == 0) {
            return 0;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}

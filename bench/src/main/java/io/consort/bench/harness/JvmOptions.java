package io.consort.bench.harness;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options of one child process. {@code --member-jvm} is shared by every process of a run,
 * but some options need a per-process value (a JDK Flight Recorder file: JDK 17 has no {@code %p}
 * in {@code -XX:StartFlightRecording=filename=...}), so {@code {name}} in an option is replaced by
 * the process's label and the time the process started, unique within a run and across rounds.
 */
final class JvmOptions {
    static final String NAME = "{name}";

    private JvmOptions() {
    }

    static List<String> forProcess(List<String> shared, String label) {
        List<String> out = new ArrayList<>(shared.size());
        String name = label + "-" + System.currentTimeMillis();
        for (String option : shared) {
            out.add(option.replace(NAME, name));
        }
        return out;
    }
}

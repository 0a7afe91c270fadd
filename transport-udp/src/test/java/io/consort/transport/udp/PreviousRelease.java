package io.consort.transport.udp;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The consortd.jar of the previous release, built from its commit for tests that run it beside
 * this build's daemons: the sources of {@link #COMMIT} come out of this clone's git history
 * ({@code git archive}, no worktree), and Maven packages transport-udp and what it needs, tests
 * skipped, into {@code target/previous-release/}. Built once; later runs reuse the jar.
 *
 * <pre>{@code
 * Path jar = PreviousRelease.consortdJar(); // null if this clone has no history to build it from
 * cluster.jars.put(1, jar);                  // d1 starts as the previous release
 * }</pre>
 */
final class PreviousRelease {
    /** The last release's commit: ring wire version 2 only, session protocol 1 and 2. */
    static final String COMMIT = "d560984";
    /** {@code -Dconsort.previousJar=...} uses a consortd.jar built elsewhere instead. */
    static final String JAR_PROPERTY = "consort.previousJar";

    private PreviousRelease() {
    }

    /** The previous release's consortd.jar, built if need be; null if it cannot be (no git, or no such commit). */
    static synchronized Path consortdJar() throws IOException, InterruptedException {
        String given = System.getProperty(JAR_PROPERTY);
        if (given != null && !given.isBlank()) {
            return Path.of(given);
        }
        Path home = Path.of("target", "previous-release", COMMIT).toAbsolutePath();
        Path jar = home.resolve("src/transport-udp/target/consortd.jar");
        if (Files.isRegularFile(jar)) {
            return jar;
        }
        Path module = Path.of("").toAbsolutePath();
        if (run(module, List.of("git", "cat-file", "-e", COMMIT + "^{commit}"), home.getParent()) != 0) {
            return null; // a shallow clone or an exported tree: nothing to build the old release from
        }
        Path src = home.resolve("src");
        deleteTree(home);
        Files.createDirectories(src);
        Path tar = home.resolve("src.tar");
        // From the repository's root: run in a subdirectory, git archive takes only that subdirectory's tree.
        Path root = module.getParent();
        check(run(root, List.of("git", "archive", "--format=tar", "-o", tar.toString(), COMMIT), home), "git archive");
        check(run(src, List.of("tar", "-xf", tar.toString()), home), "tar");
        List<String> mvn = new ArrayList<>(List.of(mavenCommand(), "-B", "-q", "-DskipTests", "package",
                "-pl", "transport-udp", "-am"));
        mvn.add(1, "-o"); // everything it needs is in the local repository when this build runs
        if (run(src, mvn, home) != 0) {
            mvn.remove(1); // a plugin of the old build this one does not use: fetch it
            check(run(src, mvn, home), "mvn package of " + COMMIT + " (see " + home.resolve("build.log") + ")");
        }
        return jar;
    }

    private static String mavenCommand() {
        String mavenHome = System.getProperty("maven.home");
        if (mavenHome != null && Files.isExecutable(Path.of(mavenHome, "bin", "mvn"))) {
            return Path.of(mavenHome, "bin", "mvn").toString();
        }
        return "mvn";
    }

    private static int run(Path dir, List<String> cmd, Path logDir) throws IOException, InterruptedException {
        Files.createDirectories(logDir);
        File log = logDir.resolve("build.log").toFile();
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static void check(int exit, String what) throws IOException {
        if (exit != 0) {
            throw new IOException(what + " failed with exit code " + exit);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Whether {@code log} (a daemon's output) has a line containing {@code text}. */
    static boolean logHas(Path log, String text) throws IOException {
        return Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(text);
    }
}

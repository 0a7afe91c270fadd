package io.consort.transport.udp.spread;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Spread 4.4.0 as {@code .ci/build-spread} builds it (target/spread-4.4.0 at the repository root,
 * or {@code -Dconsort.spread.home}), and the test program spprobe compiled against its library.
 * Tests that need them are skipped, with a message saying how to build them, when they are absent.
 */
final class SpreadTools {
    private static Path probe;

    private SpreadTools() {
    }

    /** The installation prefix of Spread's build; skips the calling test if there is none. */
    static Path home() {
        String prop = System.getProperty("consort.spread.home");
        Path home = prop != null ? Path.of(prop) : repositoryRoot().resolve("target/spread-4.4.0");
        assumeTrue(Files.isExecutable(home.resolve("bin/spuser")) && Files.isRegularFile(home.resolve("lib/libspread.a")),
                "Spread 4.4.0 is not built in " + home + ": run .ci/build-spread (needs gcc and the tarball "
                        + "../shared/spread/spread-src-4.4.0.tar.gz); skipping the Spread compatibility test");
        return home;
    }

    static Path tool(String name) {
        Path home = home();
        Path p = home.resolve("bin").resolve(name);
        return Files.isExecutable(p) ? p : home.resolve("sbin").resolve(name);
    }

    /** spprobe (src/test/c/spprobe.c) linked against Spread's static library, compiled once per run. */
    static synchronized Path probe() throws IOException, InterruptedException {
        Path home = home();
        if (probe != null) {
            return probe;
        }
        Path module = moduleRoot();
        Path src = module.resolve("src/test/c/spprobe.c");
        Path out = module.resolve("target/spprobe");
        Files.createDirectories(out.getParent());
        Process gcc = new ProcessBuilder(List.of("gcc", "-O1", "-o", out.toString(), src.toString(),
                "-I" + home.resolve("include"), home.resolve("lib/libspread.a").toString(), "-lpthread"))
                .redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes());
        assumeTrue(gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0, "could not compile spprobe: " + log);
        probe = out;
        return out;
    }

    /**
     * The class path of Spread's Java client library (compiled by .ci/build-spread) with
     * src/test/spread-java/SpJavaProbe compiled against it; skips the calling test if the library is absent.
     */
    static synchronized String javaProbeClassPath() {
        Path classes = home().resolve("java/classes");
        assumeTrue(Files.isRegularFile(classes.resolve("spread/SpreadConnection.class")),
                "Spread's Java client library is not built in " + classes + ": run .ci/build-spread with a JDK");
        Path out = moduleRoot().resolve("target/spjava");
        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", out.toString(), "-cp", classes.toString(),
                moduleRoot().resolve("src/test/spread-java/SpJavaProbe.java").toString());
        if (rc != 0) {
            throw new IllegalStateException("SpJavaProbe did not compile");
        }
        return out + java.io.File.pathSeparator + classes;
    }

    /** A free TCP port at most 32768: Spread's Java library refuses higher ones ("Bad port"). */
    static int freePortForJava() throws IOException {
        java.util.SplittableRandom r = new java.util.SplittableRandom(System.nanoTime());
        for (int i = 0; i < 200; i++) {
            int port = r.nextInt(20_000, 32_768);
            try (java.net.ServerSocket s = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException e) {
                // taken: another
            }
        }
        throw new IOException("no free port below 32768");
    }

    static Path moduleRoot() {
        Path cwd = Path.of("").toAbsolutePath();
        return Files.isDirectory(cwd.resolve("src/test/c")) ? cwd : cwd.resolve("transport-udp");
    }

    static Path repositoryRoot() {
        return moduleRoot().getParent();
    }
}

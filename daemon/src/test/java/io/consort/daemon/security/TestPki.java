package io.consort.daemon.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for tests, made by the JDK's keytool in a directory the test owns: a CA, and
 * certificates it signs (for 127.0.0.1 and localhost), valid or already expired, written as the PEM
 * files Consort is configured with.
 *
 * <pre>{@code
 * TestPki ca = TestPki.ca(dir, "Test CA");
 * TestPki.Issued daemon = ca.issue("daemon", "CN=daemon", false);
 * ServerTls tls = ServerTls.of(daemon.chain(), daemon.key()).withTrustedCertificates(ca.certificate());
 * }</pre>
 */
public final class TestPki {
    private static final String PASS = "changeit";
    private final Path dir;
    private final Path keystore;
    private final Path certificate;

    /** A certificate and its key as PEM files. */
    public record Issued(Path chain, Path key) {
    }

    private TestPki(Path dir, Path keystore, Path certificate) {
        this.dir = dir;
        this.keystore = keystore;
        this.certificate = certificate;
    }

    /** A new self-signed CA named {@code CN=<name>} in {@code dir}. */
    public static TestPki ca(Path dir, String name) throws IOException, GeneralSecurityException {
        String file = name.replaceAll("[^A-Za-z0-9]", "");
        Path ks = dir.resolve(file + "-ca.p12");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "bc:c", "-validity", "30", "-keystore", ks.toString(), "-storetype", "PKCS12",
                "-storepass", PASS, "-keypass", PASS);
        Path crt = dir.resolve(file + "-ca.crt");
        KeyStore store = load(ks);
        Files.writeString(crt, pem((X509Certificate) store.getCertificate("ca")));
        return new TestPki(dir, ks, crt);
    }

    /** The CA's certificate (PEM): what a peer trusts. */
    public Path certificate() {
        return certificate;
    }

    /** A certificate for {@code subject}, valid now for 30 days, usable by a server and a client. */
    public Issued issue(String file, String subject) throws IOException, GeneralSecurityException {
        return issue(file, subject, false);
    }

    /**
     * A certificate for {@code subject} (with 127.0.0.1 and localhost as alternative names), written
     * to {@code <file>.crt} (its chain up to the CA) and {@code <file>.key}; if {@code expired}, it
     * was valid for one day ten days ago.
     */
    public Issued issue(String file, String subject, boolean expired) throws IOException, GeneralSecurityException {
        Path ks = dir.resolve(file + ".p12");
        Files.deleteIfExists(ks);
        keytool("-genkeypair", "-alias", "leaf", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", subject,
                "-validity", "30", "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", PASS, "-keypass", PASS);
        Path csr = dir.resolve(file + ".csr");
        keytool("-certreq", "-alias", "leaf", "-keystore", ks.toString(), "-storepass", PASS, "-file", csr.toString());
        Path signed = dir.resolve(file + ".signed");
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", keystore.toString(),
                "-storepass", PASS, "-infile", csr.toString(), "-outfile", signed.toString(), "-rfc",
                "-ext", "san=ip:127.0.0.1,dns:localhost", "-ext", "eku=serverAuth,clientAuth"));
        if (expired) {
            gencert.addAll(List.of("-startdate", "-10d", "-validity", "1"));
        } else {
            gencert.addAll(List.of("-validity", "30"));
        }
        keytool(gencert.toArray(new String[0]));
        PrivateKey key = (PrivateKey) load(ks).getKey("leaf", PASS.toCharArray());
        Issued issued = new Issued(dir.resolve(file + ".crt"), dir.resolve(file + ".key"));
        Files.writeString(issued.chain(), Files.readString(signed).trim() + "\n" + Files.readString(certificate));
        Files.writeString(issued.key(), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        return issued;
    }

    private static KeyStore load(Path ks) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, PASS.toCharArray());
        }
        return store;
    }

    private static String pem(X509Certificate c) throws GeneralSecurityException {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(c.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    private static void keytool(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        // A short-lived JVM: start it as cheaply as possible (the machine is shared).
        cmd.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-J-Xshare:auto"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("keytool did not finish in 60 s: " + cmd);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("keytool failed (" + p.exitValue() + "): " + String.join(" ", args) + "\n" + out);
        }
    }
}

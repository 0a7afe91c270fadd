package io.consort.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import io.consort.core.ServiceLevel;
import io.consort.reactive.ClientTls;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.Session;
import io.consort.daemon.security.AccessRules;
import io.consort.daemon.security.Authenticator;
import io.consort.protocol.Pem;
import io.consort.daemon.security.Permission;
import io.consort.daemon.security.ServerTls;
import io.consort.daemon.security.SessionSecurity;
import io.consort.daemon.security.TestPki;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.EnumSet;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** TLS on client sessions, mutual TLS, and certificates rotated under a running daemon, over real sockets. */
class TlsSessionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    static Path dir;
    static TestPki ca;
    static TestPki rogueCa;
    static TestPki.Issued daemonCert;
    static TestPki.Issued alice;
    static TestPki.Issued expired;
    static TestPki.Issued rogue;

    private EmbeddedDaemon daemon;

    @BeforeAll
    static void pki() throws Exception {
        ca = TestPki.ca(dir, "Consort Test CA");
        rogueCa = TestPki.ca(dir, "Rogue CA");
        daemonCert = ca.issue("daemon", "CN=daemon,O=Consort Test");
        alice = ca.issue("alice", "CN=alice,O=Consort Test");
        expired = ca.issue("expired", "CN=old,O=Consort Test", true);
        rogue = rogueCa.issue("rogue", "CN=alice,O=Consort Test");
    }

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private void start(SessionSecurity security) {
        daemon = EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withSecurity(security));
    }

    private ConsortClient client(String name, ClientTls tls) {
        return ConsortClient.create().port(daemon.port()).name(name).tls(tls);
    }

    private static ServerTls serverTls() {
        return ServerTls.of(daemonCert.chain(), daemonCert.key());
    }

    @Test
    void aTlsSessionCarriesMessagesLikeAPlainOne() throws Exception {
        start(SessionSecurity.none().withTls(serverTls()));
        ClientTls tls = ClientTls.trusting(ca.certificate());
        Session a = client("alice", tls).connect().block(TIMEOUT);
        Session b = client("bob", tls).connect().block(TIMEOUT);
        Flux<String> got = b.messages("chat").map(GroupMessage::text).take(3).cache();
        got.subscribe();
        b.join("chat").then(a.join("chat")).block(TIMEOUT);
        a.multicast("chat", ServiceLevel.AGREED, "one").then(a.multicast("chat", ServiceLevel.SAFE, "two"))
                .then(a.multicast("chat", ServiceLevel.FIFO, "three")).block(TIMEOUT);
        StepVerifier.create(got).expectNext("one", "two", "three").verifyComplete();

        // The port speaks TLS only: a plain HELLO gets no WELCOME.
        try (RawClient raw = new RawClient(daemon.port())) {
            raw.frame(w -> io.consort.protocol.ClientFrames.hello(w, "plain"));
            assertThat(catchThrowable(() -> {
                RawClient.Frame f = raw.next();
                assertThat(f.type()).isNotEqualTo(io.consort.protocol.FrameType.WELCOME);
            })).isNotNull();
        }
        assertThat(daemon.sessionCount()).isEqualTo(2);
    }

    @Test
    void aClientRefusesADaemonWhoseCertificateItsCasDidNotSign() {
        start(SessionSecurity.none().withTls(serverTls()));
        Throwable t = catchThrowable(() -> client("alice", ClientTls.trusting(rogueCa.certificate())).connect().block(TIMEOUT));
        assertThat(t).isNotNull();
        assertThat(t).hasStackTraceContaining("SSL");
    }

    private static SessionSecurity mutual() {
        return SessionSecurity.none()
                .withTls(serverTls().withTrustedCertificates(ca.certificate()).withClientAuth(ServerTls.ClientAuth.NEED))
                .withAuthenticator(Authenticator.certificateSubject())
                .withPolicy(AccessRules.builder()
                        .allow("CN=alice,O=Consort Test", EnumSet.allOf(Permission.class), "orders")
                        .build());
    }

    @Test
    void underMutualTlsTheCertificateSubjectIsTheIdentityTheRulesSee() throws Exception {
        start(mutual());
        Session s = client("alice", ClientTls.trusting(ca.certificate()).withCertificate(alice.chain(), alice.key()))
                .connect().block(TIMEOUT);
        s.join("orders").block(TIMEOUT);
        assertThatThrownBy(() -> s.join("payroll").block(TIMEOUT))
                .isInstanceOfSatisfying(ConsortException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED));
    }

    @Test
    void withClientAuthWantACertificateOrElseAPasswordIdentifiesTheSession() throws Exception {
        start(SessionSecurity.none()
                .withTls(serverTls().withTrustedCertificates(ca.certificate()).withClientAuth(ServerTls.ClientAuth.WANT))
                .withAuthenticator(Authenticator.firstOf(Authenticator.certificateSubject(), Authenticator.passwords(
                        java.util.Map.of("ops", io.consort.daemon.security.PasswordHash.hash("pw".toCharArray(), 1_000)))))
                .withPolicy(AccessRules.builder()
                        .allow("CN=alice,O=Consort Test", EnumSet.allOf(Permission.class), "orders")
                        .allow("ops", EnumSet.allOf(Permission.class), "ops")
                        .build()));
        ClientTls trust = ClientTls.trusting(ca.certificate());
        Session byCert = client("alice", trust.withCertificate(alice.chain(), alice.key())).connect().block(TIMEOUT);
        byCert.join("orders").block(TIMEOUT);
        Session byPassword = client("ops", trust).credentials(io.consort.reactive.Credentials.password("ops", "pw"))
                .connect().block(TIMEOUT);
        byPassword.join("ops").block(TIMEOUT);
        assertThatThrownBy(() -> byPassword.join("orders").block(TIMEOUT))
                .isInstanceOfSatisfying(ConsortException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED));
        // Neither: anonymous, which no rule lets connect.
        assertThatThrownBy(() -> client("nobody", trust).connect().block(TIMEOUT))
                .isInstanceOfSatisfying(ConsortException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED));
    }

    @Test
    void clientsWithoutACertificateOrWithAnUntrustedOrExpiredOneAreRefused() throws Exception {
        start(mutual());
        // The expired certificate is refused for its dates alone: our CA signed it, and it has expired.
        X509Certificate old = Pem.certificates(Files.readAllBytes(expired.chain())).get(0);
        old.verify(Pem.certificates(Files.readAllBytes(ca.certificate())).get(0).getPublicKey());
        assertThatThrownBy(old::checkValidity).isInstanceOf(java.security.cert.CertificateExpiredException.class);
        ClientTls trust = ClientTls.trusting(ca.certificate());
        for (ClientTls bad : new ClientTls[] {trust, trust.withCertificate(rogue.chain(), rogue.key()),
            trust.withCertificate(expired.chain(), expired.key())}) {
            Throwable t = catchThrowable(() -> client("alice", bad).connect().block(TIMEOUT));
            assertThat(t).as("%s", bad).isInstanceOfSatisfying(ConsortException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_LOST);
                assertThat(e.getMessage()).startsWith("TLS: ");
            });
        }
        assertThat(daemon.sessionCount()).isZero();
        // The same port still serves a good certificate.
        client("alice", trust.withCertificate(alice.chain(), alice.key())).connect().block(TIMEOUT);
        assertThat(daemon.sessionCount()).isEqualTo(1);
    }

    @Test
    void aRotatedCertificateServesNewSessionsWhileExistingOnesCarryOn() throws Exception {
        Path chain = dir.resolve("live.crt");
        Path key = dir.resolve("live.key");
        Files.copy(daemonCert.chain(), chain, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(daemonCert.key(), key, StandardCopyOption.REPLACE_EXISTING);
        start(SessionSecurity.none().withTls(ServerTls.of(chain, key).withReloadCheck(Duration.ZERO)));
        ClientTls tls = ClientTls.trusting(ca.certificate());
        Session before = client("before", tls).connect().block(TIMEOUT);
        Flux<String> got = before.messages("chat").map(GroupMessage::text).take(2).cache();
        got.subscribe();
        before.join("chat").block(TIMEOUT);
        assertThat(servedSubject()).isEqualTo("CN=daemon,O=Consort Test");

        // Half a rotation (the new key beside the old certificate) is not loaded: still the old one.
        Files.copy(alice.key(), key, StandardCopyOption.REPLACE_EXISTING);
        assertThat(servedSubject()).isEqualTo("CN=daemon,O=Consort Test");
        Files.copy(alice.chain(), chain, StandardCopyOption.REPLACE_EXISTING);
        assertThat(servedSubject()).isEqualTo("CN=alice,O=Consort Test");
        assertThat(daemon.tlsReloads()).isEqualTo(1);

        Session after = client("after", tls).connect().block(TIMEOUT);
        after.join("chat").then(after.multicast("chat", ServiceLevel.AGREED, "new"))
                .then(before.multicast("chat", ServiceLevel.AGREED, "old")).block(TIMEOUT);
        StepVerifier.create(got).expectNext("new", "old").verifyComplete();
        assertThat(before.isOpen()).isTrue();
    }

    /** The subject of the certificate the daemon shows a new connection now, seen with the JDK's own TLS client. */
    private String servedSubject() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", Pem.certificates(Files.readAllBytes(ca.certificate())).get(0));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        try (Socket plain = new Socket("127.0.0.1", daemon.port());
                SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "127.0.0.1", daemon.port(), true)) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal()
                    .getName(X500Principal.RFC2253);
        }
    }
}

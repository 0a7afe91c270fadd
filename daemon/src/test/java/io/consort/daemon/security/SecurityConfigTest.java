package io.consort.daemon.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consort.core.ConsortException;
import io.consort.core.ErrorCode;
import io.consort.protocol.ClientFrames;
import io.consort.protocol.FrameReader;
import io.consort.protocol.FrameType;
import io.consort.protocol.FrameWriter;
import io.consort.protocol.Hello;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The security configuration objects, the password hash and the HELLO codec on their own. */
class SecurityConfigTest {
    @Test
    void globsMatchWholeNamesWithStarsAndQuestionMarks() {
        assertThat(Glob.of("orders.*").matches("orders.eu")).isTrue();
        assertThat(Glob.of("orders.*").matches("orders.")).isTrue();
        assertThat(Glob.of("orders.*").matches("orders")).isFalse();
        assertThat(Glob.of("orders.*").matches("xorders.eu")).isFalse();
        assertThat(Glob.of("*").matches("anything")).isTrue();
        assertThat(Glob.of("a?c").matches("abc")).isTrue();
        assertThat(Glob.of("a?c").matches("ac")).isFalse();
        assertThat(Glob.of("#*#d1").matches("#alice#d1")).isTrue();
        assertThat(Glob.of("#*#d1").matches("#alice#d2")).isFalse();
        assertThat(Glob.of("*a*b*c").matches("xxaxxbxxc")).isTrue();
        assertThat(Glob.of("*a*b*c").matches("xxaxxcxxb")).isFalse();
        // No exponential backtracking.
        assertThat(Glob.of("*a*a*a*a*a*a*a*a*b").matches("a".repeat(10_000))).isFalse();
    }

    @Test
    void passwordHashesVerifyTheirPasswordOnlyAndSaltEachHash() {
        String h1 = PasswordHash.hash("s3cret".toCharArray(), 1_000);
        String h2 = PasswordHash.hash("s3cret".toCharArray(), 1_000);
        assertThat(h1).startsWith("pbkdf2-sha256:1000:").isNotEqualTo(h2);
        assertThat(PasswordHash.verify(h1, "s3cret".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(PasswordHash.verify(h2, "s3cret".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(PasswordHash.verify(h1, "s3cret!".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(PasswordHash.verify(h1, new byte[] {(byte) 0xff})).isFalse();
        assertThat(PasswordHash.verify("pbkdf2-sha256:1:AA==:AA==", new byte[0])).isFalse();
        assertThat(PasswordHash.verify("garbage", new byte[0])).isFalse();
        assertThat(PasswordHash.hash("x".toCharArray())).startsWith("pbkdf2-sha256:" + PasswordHash.ITERATIONS + ":");
        assertThatThrownBy(() -> Authenticator.passwords(Map.of("alice", "plain-text")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alice");
    }

    @Test
    void rulesGrantOnlyWhatTheyListToWhomTheyName() {
        AccessRules rules = AccessRules.builder()
                .allow("CN=*,O=Example", EnumSet.of(Permission.CONNECT, Permission.JOIN), "orders.*")
                .allow(AccessRules.ANONYMOUS, Set.of(Permission.CONNECT), "*")
                .build();
        Identity carol = Identity.of("CN=carol,O=Example");
        assertThat(rules.allows(carol, Permission.JOIN, "orders.eu")).isTrue();
        assertThat(rules.allows(carol, Permission.SEND, "orders.eu")).isFalse();
        assertThat(rules.allows(carol, Permission.JOIN, "payroll")).isFalse();
        assertThat(rules.allows(Identity.of("CN=carol,O=Other"), Permission.CONNECT, "carol")).isFalse();
        assertThat(rules.allows(Identity.ANONYMOUS, Permission.CONNECT, "x")).isTrue();
        assertThat(rules.allows(Identity.ANONYMOUS, Permission.JOIN, "orders.eu")).isFalse();
        // "anonymous" names the anonymous identity only, not an authenticated one called so.
        assertThat(rules.allows(Identity.of("anonymous"), Permission.CONNECT, "x")).isFalse();
        assertThat(rules.allows(Identity.ANONYMOUS, Permission.LEAVE, "orders.eu")).isTrue();
    }

    @Test
    void configurationObjectsAreValidatedAndEveryWithReturnsACopy() {
        Path crt = Path.of("a.crt");
        Path key = Path.of("a.key");
        ServerTls tls = ServerTls.of(crt, key);
        ServerTls mutual = tls.withTrustedCertificates(Path.of("ca.crt")).withClientAuth(ServerTls.ClientAuth.NEED);
        assertThat(tls.clientAuth()).isEqualTo(ServerTls.ClientAuth.NONE);
        assertThat(tls.trustedCertificates()).isNull();
        assertThat(mutual.clientAuth()).isEqualTo(ServerTls.ClientAuth.NEED);
        assertThatThrownBy(() -> tls.withClientAuth(ServerTls.ClientAuth.WANT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trusted");
        assertThatThrownBy(() -> tls.withReloadCheck(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);

        SessionSecurity none = SessionSecurity.none();
        SessionSecurity secured = none.withTls(tls).withAuthenticator(Authenticator.certificateSubject())
                .withPolicy(AccessRules.authenticatedOnly());
        assertThat(none.tls()).isNull();
        assertThat(none.checksNothing()).isTrue();
        assertThat(secured.checksNothing()).isFalse();
        assertThat(secured.tls()).isEqualTo(tls);
        assertThatThrownBy(() -> none.withFailureDelay(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);

        io.consort.daemon.DaemonOptions options = io.consort.daemon.DaemonOptions.defaults();
        assertThat(options.withSecurity(secured).security()).isEqualTo(secured);
        assertThat(options.security()).isEqualTo(SessionSecurity.none());
        assertThat(options.withSecurity(secured).withPort(0).security()).isEqualTo(secured);
    }

    private static Hello decode(Consumer<FrameWriter> frame) {
        ByteBuf b = Unpooled.buffer();
        frame.accept(new FrameWriter(b));
        b.skipBytes(FrameType.LENGTH_BYTES);
        FrameReader r = new FrameReader(b);
        assertThat(r.type()).isEqualTo(FrameType.HELLO);
        return Hello.decode(r);
    }

    @Test
    void helloVersionOneAndTwoDecodeAndBadOnesAreTypedErrors() {
        Hello v1 = decode(w -> ClientFrames.hello(w, "alice"));
        assertThat(v1.version()).isEqualTo(1);
        assertThat(v1.hasPassword()).isFalse();
        Hello v2 = decode(w -> ClientFrames.hello(w, "alice", "ops", "pw".getBytes(StandardCharsets.UTF_8)));
        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.identity()).isEqualTo("ops");
        assertThat(v2.secret()).containsExactly('p', 'w');
        assertThat(v2.toString()).doesNotContain("pw");
        Hello none = decode(w -> w.begin(FrameType.HELLO).u16(2).str("bob").u8(FrameType.AUTH_NONE).end());
        assertThat(none.hasPassword()).isFalse();

        assertThatThrownBy(() -> decode(w -> w.begin(FrameType.HELLO).u16(3).str("bob").end()))
                .isInstanceOfSatisfying(ConsortException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION));
        assertThatThrownBy(() -> decode(w -> w.begin(FrameType.HELLO).u16(2).str("bob").u8(9).end()))
                .isInstanceOfSatisfying(ConsortException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME));
        assertThatThrownBy(() -> decode(w -> w.begin(FrameType.HELLO).u16(2).str("bob").end()))
                .isInstanceOfSatisfying(ConsortException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME));
        assertThatThrownBy(() -> decode(w -> w.begin(FrameType.HELLO).u16(2).str("bob").u8(1).str("x")
                .bytes(new byte[Hello.SECRET_BYTES_MAX + 1]).end()))
                .isInstanceOfSatisfying(ConsortException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME));
    }
}

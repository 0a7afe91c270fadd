package io.consort.transport.udp.spread;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.EngineConfig;
import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import io.consort.daemon.security.AccessRules;
import io.consort.daemon.security.Authenticator;
import io.consort.daemon.security.Glob;
import io.consort.daemon.security.PasswordHash;
import io.consort.daemon.security.Permission;
import io.consort.daemon.security.SessionSecurity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Consort's session security on the Spread path, with programs on Spread's own library: a Spread
 * program presents Consort credentials through an auth method it registers with Spread's
 * {@code SP_set_auth_method} ("CONSORT"), or connects anonymously with NULL; refusals are Spread's
 * {@code REJECT_AUTH}, and the access rules deny joins and multicasts with Spread's rejects.
 */
class SpreadAuthTest {
    private EmbeddedDaemon daemon;
    private final List<SpreadProbe> probes = new ArrayList<>();

    @BeforeEach
    void start() {
        SpreadTools.home();
        SessionSecurity security = SessionSecurity.none()
                .withAuthenticator(Authenticator.passwords(Map.of("ops", PasswordHash.hash("ops-pw".toCharArray(), 1_000))))
                .withPolicy(AccessRules.builder()
                        .allow(new AccessRules.Rule("ops", EnumSet.allOf(Permission.class),
                                List.of(Glob.of("ops.*"), Glob.of("public.*"), Glob.of("#*#*")), List.of(Glob.of("ops*"))))
                        .allow(AccessRules.ANONYMOUS, Set.of(Permission.CONNECT, Permission.JOIN), "public.*")
                        .build())
                .withFailureDelay(Duration.ZERO, Duration.ZERO);
        daemon = EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0).withSpreadPort(0).withSecurity(security)
                .withEngine(EngineConfig.defaults().withDaemonName("d1")));
    }

    @AfterEach
    void stop() throws Exception {
        for (SpreadProbe p : probes) {
            p.close();
        }
        if (daemon != null) { // null when the test was skipped (Spread not built)
            daemon.close();
        }
    }

    private SpreadProbe probe() throws Exception {
        SpreadProbe p = SpreadProbe.start();
        probes.add(p);
        return p;
    }

    private String connect(SpreadProbe p, String user) throws Exception {
        return p.ask("connect " + daemon.spreadPort() + "@127.0.0.1 " + user + " 1");
    }

    @Test
    void aSpreadProgramLogsInWithConsortCredentialsOrIsRejectedAsSpreadRejects() throws Exception {
        SpreadProbe wrong = probe();
        assertThat(wrong.ask("auth consort ops not-the-password")).isEqualTo("OK 1");
        assertThat(connect(wrong, "ops1")).isEqualTo("CONNECT_ERROR -9");
        SpreadProbe unknown = probe();
        unknown.ask("auth consort nobody ops-pw");
        assertThat(connect(unknown, "ops1")).isEqualTo("CONNECT_ERROR -9");
        // The right password, but a user name the rules do not let ops connect as.
        SpreadProbe otherName = probe();
        otherName.ask("auth consort ops ops-pw");
        assertThat(connect(otherName, "eve")).isEqualTo("CONNECT_ERROR -9");
        assertThat(daemon.sessionCount()).isZero();

        SpreadProbe ops = probe();
        ops.ask("auth consort ops ops-pw");
        assertThat(connect(ops, "ops1")).isEqualTo("CONNECTED #ops1#d1");
        ops.ask("join ops.g");
        assertThat(SpreadLine.parse(ops.recv()).fields()).containsEntry("cause", "JOIN")
                .containsEntry("members", "#ops1#d1");
        ops.ask("mcast 0x10 5 for-ops ops.g");
        assertThat(SpreadLine.parse(ops.recv()).fields()).containsEntry("text", "for-ops");
    }

    @Test
    void anonymousSpreadSessionsGetWhatTheRulesGiveAnonymousAndSpreadsRejectsForTheRest() throws Exception {
        SpreadProbe anon = probe();
        assertThat(connect(anon, "anon")).isEqualTo("CONNECTED #anon#d1");
        // A join the rules deny comes back as Spread's reject of it: CAUSED_BY_JOIN | REJECT_MESS.
        assertThat(anon.ask("join ops.g")).isEqualTo("OK 0");
        assertThat(SpreadLine.parse(anon.recv()).fields()).containsEntry("service", "0x400100")
                .containsEntry("groups", "ops.g,#anon#d1").containsEntry("len", "0");
        anon.ask("join public.news");
        assertThat(SpreadLine.parse(anon.recv()).fields()).containsEntry("cause", "JOIN")
                .containsEntry("group", "public.news");
        // It may not send, not even to a group it is in: each multicast comes back rejected, payload kept.
        anon.ask("mcast 0x20 3 denied public.news");
        assertThat(SpreadLine.parse(anon.recv()).fields()).containsEntry("service", "0x400020").containsEntry("type", "3")
                .containsEntry("groups", "public.news,#anon#d1").containsEntry("text", "denied");
        anon.ask("mcast 0x10 4 psst #ops1#d1");
        assertThat(SpreadLine.parse(anon.recv()).fields()).containsEntry("service", "0x400010")
                .containsEntry("text", "psst");

        // An authenticated member of public.news sends; the anonymous member receives.
        SpreadProbe ops = probe();
        ops.ask("auth consort ops ops-pw");
        assertThat(connect(ops, "ops1")).isEqualTo("CONNECTED #ops1#d1");
        ops.ask("join public.news");
        ops.recv();
        assertThat(SpreadLine.parse(anon.recv()).fields()).containsEntry("cause", "JOIN")
                .containsEntry("members", "#anon#d1,#ops1#d1");
        ops.ask("mcast 0x10 1 news public.news");
        assertThat(SpreadLine.parse(anon.recv()).fields()).containsEntry("sender", "#ops1#d1")
                .containsEntry("text", "news");
    }
}

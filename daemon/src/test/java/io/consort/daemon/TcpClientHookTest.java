package io.consort.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.Session;
import io.netty.channel.ChannelOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.netty.ConnectionObserver;
import reactor.test.StepVerifier;

/** ConsortClient.tcpClient: the application's customizations reach the Reactor Netty TcpClient of each connection. */
class TcpClientHookTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @Test
    void theCustomizersAreAppliedInOrderToEachConnection() throws Exception {
        try (EmbeddedDaemon d = EmbeddedDaemon.start(DaemonOptions.defaults().withPort(0))) {
            List<String> seen = new CopyOnWriteArrayList<>();
            ConsortClient client = ConsortClient.create().port(d.port())
                    .tcpClient(tcp -> tcp.observe((conn, state) -> {
                        if (state == ConnectionObserver.State.CONNECTED) {
                            seen.add("observer " + conn.channel().remoteAddress());
                        }
                    }))
                    .tcpClient(tcp -> tcp.option(ChannelOption.SO_KEEPALIVE, true)
                            .doOnConnected(conn -> seen.add("keepalive " + conn.channel().config()
                                    .getOption(ChannelOption.SO_KEEPALIVE))));
            Session s = client.name("hooked").connect().block(TIMEOUT);
            assertThat(seen).hasSize(2).anyMatch(x -> x.startsWith("observer ") && x.endsWith(":" + d.port()))
                    .contains("keepalive true");
            // The session works as any other.
            StepVerifier.create(s.messages("g").take(1).map(GroupMessage::text))
                    .then(() -> s.join("g").then(s.multicast("g", ServiceLevel.AGREED, "hi")).block(TIMEOUT))
                    .expectNext("hi").expectComplete().verify(TIMEOUT);
            // Each connection: a second session is customized again; the plain client is not.
            client.name("again").connect().block(TIMEOUT).close().block(TIMEOUT);
            assertThat(seen).hasSize(4);
            ConsortClient.create().port(d.port()).name("plain").connect().block(TIMEOUT).close().block(TIMEOUT);
            assertThat(seen).hasSize(4);
            s.close().block(TIMEOUT);
        }
    }
}

package io.consort.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "chat.heartbeat=200ms")
class ChatControllerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> SSE =
            new ParameterizedTypeReference<>() {
            };

    @LocalServerPort
    int port;

    private WebTestClient web;

    @BeforeEach
    void client() {
        web = WebTestClient.bindToServer().baseUrl("http://localhost:" + port).responseTimeout(TIMEOUT).build();
    }

    private Flux<ServerSentEvent<Map<String, Object>>> open(String room, String name) {
        return web.get().uri("/rooms/{room}/events?name={name}", room, name)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .exchange()
                .expectStatus().isOk()
                .returnResult(SSE)
                .getResponseBody()
                // Heartbeats are comments; the assertions below are about events.
                .filter(e -> e.event() != null);
    }

    private void post(String room, String from, String text) {
        web.post().uri("/rooms/{room}/messages", room)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("from", from, "text", text))
                .exchange()
                .expectStatus().isAccepted();
    }

    @Test
    void streamsMembersAndMessagesAndPostsAsTheAuthor() {
        StepVerifier.create(open("r1", "alice"))
                .assertNext(e -> {
                    assertThat(e.event()).isEqualTo("members");
                    assertThat(e.data()).containsEntry("members", java.util.List.of("alice"));
                })
                .then(() -> post("r1", "alice", "hello"))
                .assertNext(e -> {
                    assertThat(e.event()).isEqualTo("chat");
                    assertThat(e.data()).containsEntry("from", "alice").containsEntry("text", "hello")
                            .containsEntry("level", "AGREED");
                    assertThat(e.id()).isEqualTo(String.valueOf(e.data().get("sequence")));
                })
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void membersChangeWhenAPageJoinsAndWhenItGoesAway() {
        Disposable[] bob = new Disposable[1];
        StepVerifier.create(open("r2", "carol"))
                .assertNext(e -> assertThat(e.data()).containsEntry("members", java.util.List.of("carol")))
                .then(() -> bob[0] = open("r2", "bob").subscribe())
                .assertNext(e -> {
                    assertThat(e.data()).containsEntry("members", java.util.List.of("carol", "bob"))
                            .containsEntry("cause", "JOIN");
                })
                .then(() -> bob[0].dispose())
                .assertNext(e -> {
                    assertThat(e.data()).containsEntry("members", java.util.List.of("carol"))
                            .containsEntry("cause", "LEAVE").containsEntry("changed", java.util.List.of("bob"));
                })
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void heartbeatsFlowWhileTheRoomIsQuiet() {
        StepVerifier.create(web.get().uri("/rooms/r3/events?name=dave").accept(MediaType.TEXT_EVENT_STREAM)
                        .exchange().returnResult(SSE).getResponseBody()
                        .filter(e -> e.event() == null && "heartbeat".equals(e.comment()))
                        .take(2))
                .expectNextCount(2)
                .verifyComplete();
    }

    @Test
    void aPostWithoutAPageIsSentByTheSharedSession() {
        StepVerifier.create(open("r4", "erin").filter(e -> "chat".equals(e.event())))
                .then(() -> post("r4", "nobody", "from the server"))
                .assertNext(e -> assertThat(e.data()).containsEntry("from", "chat-server")
                        .containsEntry("text", "from the server"))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void aTakenNameEndsTheStreamWithAFailureEvent() {
        StepVerifier.create(open("r5", "frank"))
                .expectNextMatches(e -> "members".equals(e.event()))
                .then(() -> StepVerifier.create(open("r5", "frank"))
                        .assertNext(e -> {
                            assertThat(e.event()).isEqualTo("failure");
                            assertThat((String) e.data().get("reason")).contains("DUPLICATE_PRIVATE_NAME");
                        })
                        .verifyComplete())
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void badNamesAreRefusedUpFront() {
        web.get().uri("/rooms/lobby/events?name=has space").exchange().expectStatus().isBadRequest();
        web.get().uri("/rooms/lob%23by/events?name=ok").exchange().expectStatus().isBadRequest();
        web.post().uri("/rooms/lobby/messages").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("from", "x", "text", "")).exchange().expectStatus().isBadRequest();
    }
}

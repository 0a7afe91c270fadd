package io.consort.samples.chat;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The WebFlux chat sample. With the defaults in {@code application.yaml} it runs its own embedded
 * daemon, so it needs nothing else; point it at a daemon with
 * {@code --consort.embedded.enabled=false --consort.host=... --consort.port=...}.
 *
 * <pre>{@code
 * java -jar samples/webflux-chat/target/consort-sample-webflux-chat-0.1.0-SNAPSHOT.jar --server.port=8080
 * # open http://localhost:8080/ in two browser windows
 * }</pre>
 */
@SpringBootApplication
public class ChatApplication {
    public static void main(String[] args) {
        SpringApplication.run(ChatApplication.class, args);
    }
}

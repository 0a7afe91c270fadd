package io.consort.samples.chat;

import io.consort.core.ConsortException;
import io.consort.core.ServiceLevel;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.GroupView;
import io.consort.reactive.OutgoingMessage;
import io.consort.reactive.Session;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Rooms are Consort groups; each open page is its own Consort session, so the group's views are the
 * room's members and a closed tab is a LEAVE everyone sees.
 *
 * <pre>{@code
 * rooms.open("lobby", "alice").subscribe(sse -> ...); // members, then chat lines, then heartbeats
 * rooms.say("lobby", "alice", "hi").block();
 * }</pre>
 */
@Service
public class ChatRooms {
    private final ConsortClient client;
    private final Session shared;
    private final Duration heartbeat;
    /** The live session of each page, by user name, so a POST is sent by its author's own session. */
    private final Map<String, Session> pages = new ConcurrentHashMap<>();

    public ChatRooms(ConsortClient client, Session shared, @Value("${chat.heartbeat:15s}") Duration heartbeat) {
        this.client = client;
        this.shared = shared;
        this.heartbeat = heartbeat;
    }

    /**
     * Connects {@code user} as a new session, joins {@code room}, and streams what happens there until
     * the subscriber cancels (the browser went away), which closes the session: the others see a LEAVE.
     */
    public Flux<ServerSentEvent<ChatEvent>> open(String room, String user) {
        return Flux.usingWhen(client.name(user).connect().doOnNext(s -> pages.put(user, s)),
                        session -> Flux.merge(
                                // Subscribed before the join is sent, so the page sees its own join view.
                                session.events(room).<ChatEvent>handle((e, sink) -> {
                                    if (e instanceof GroupMessage m) {
                                        sink.next(ChatEvent.Line.of(m));
                                    } else if (e instanceof GroupView v && !v.selfLeave()) {
                                        sink.next(ChatEvent.Members.of(v));
                                    }
                                }).map(ChatRooms::toEvent),
                                session.join(room).then(Mono.<ServerSentEvent<ChatEvent>>empty()),
                                // Comments keep proxies from closing an idle stream and reveal dead clients.
                                Flux.interval(heartbeat).map(i -> ServerSentEvent.<ChatEvent>builder()
                                        .comment("heartbeat").build())),
                        session -> close(user, session),
                        (session, error) -> close(user, session),
                        session -> close(user, session))
                .onErrorResume(ConsortException.class,
                        e -> Mono.just(toEvent(new ChatEvent.Failure(e.code() + ": " + e.getMessage()))));
    }

    /** Sends {@code text} to {@code room} from {@code user}'s page, or from the shared session if it has none. */
    public Mono<Void> say(String room, String user, String text) {
        Session from = pages.getOrDefault(user, shared);
        return from.multicast(OutgoingMessage.to(room).level(ServiceLevel.AGREED).text(text));
    }

    private Mono<Void> close(String user, Session session) {
        pages.remove(user, session);
        return session.close();
    }

    private static ServerSentEvent<ChatEvent> toEvent(ChatEvent e) {
        ServerSentEvent.Builder<ChatEvent> b = ServerSentEvent.<ChatEvent>builder(e).event(e.eventName());
        if (e instanceof ChatEvent.Line line) {
            b.id(Long.toString(line.sequence()));
        }
        return b.build();
    }
}

package io.consort.samples.chat;

import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The chat's HTTP face.
 *
 * <pre>{@code
 * curl -N 'http://localhost:8080/rooms/lobby/events?name=alice'          # SSE: members, chat, heartbeats
 * curl -X POST -H 'Content-Type: application/json' \
 *      -d '{"from":"alice","text":"hi"}' http://localhost:8080/rooms/lobby/messages
 * }</pre>
 */
@RestController
public class ChatController {
    /** Consort's rules for group and private names, checked here so a bad name is a 400, not a broken stream. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,20}");

    private final ChatRooms rooms;

    public ChatController(ChatRooms rooms) {
        this.rooms = rooms;
    }

    /** A message as the page posts it. */
    public record Post(String from, String text) {
    }

    @GetMapping(path = "/rooms/{room}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<ChatEvent>> events(@PathVariable("room") String room, @RequestParam("name") String name) {
        return rooms.open(checked(room), checked(name));
    }

    @PostMapping("/rooms/{room}/messages")
    @ResponseStatus(HttpStatus.ACCEPTED)
    public Mono<Void> post(@PathVariable("room") String room, @RequestBody Post post) {
        if (post.text() == null || post.text().isBlank()) {
            return Mono.error(new ResponseStatusException(HttpStatus.BAD_REQUEST, "text is empty"));
        }
        return rooms.say(checked(room), checked(post.from()), post.text());
    }

    private static String checked(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "names are 1 to 20 of A-Z a-z 0-9 _ . -, was '" + name + "'");
        }
        return name;
    }
}

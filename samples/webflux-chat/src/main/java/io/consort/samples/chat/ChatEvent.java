package io.consort.samples.chat;

import io.consort.reactive.GroupMessage;
import io.consort.reactive.GroupView;
import java.util.List;

/**
 * What the browser receives, as the data of a Server-Sent Event. Names are the user part of private
 * names: {@code #alice#localhost} shows as {@code alice}.
 *
 * <pre>{@code
 * event:chat     data:{"from":"alice","text":"hi","level":"AGREED","sequence":7}
 * event:members  data:{"members":["alice","bob"],"cause":"JOIN","changed":["bob"]}
 * }</pre>
 */
public sealed interface ChatEvent {
    /** The SSE event name the page listens for. */
    String eventName();

    /** A chat line. */
    record Line(String from, String text, String level, long sequence) implements ChatEvent {
        static Line of(GroupMessage m) {
            return new Line(user(m.sender()), m.text(), m.level().name(), m.sequence());
        }

        @Override
        public String eventName() {
            return "chat";
        }
    }

    /** The room's members after a join, leave or disconnect. */
    record Members(List<String> members, String cause, List<String> changed) implements ChatEvent {
        static Members of(GroupView v) {
            return new Members(v.members().stream().map(ChatEvent::user).toList(), v.cause().name(),
                    v.changed().stream().map(ChatEvent::user).toList());
        }

        @Override
        public String eventName() {
            return "members";
        }
    }

    /** Why the stream ended, for the page to show (a duplicate name, a lost daemon). */
    record Failure(String reason) implements ChatEvent {
        @Override
        public String eventName() {
            return "failure";
        }
    }

    /** {@code #alice#localhost} to {@code alice}. */
    static String user(String privateName) {
        int second = privateName.indexOf('#', 1);
        return privateName.startsWith("#") && second > 0 ? privateName.substring(1, second) : privateName;
    }
}

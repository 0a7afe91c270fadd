package io.consort.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Messages and views of a group come out in one order at every member. */
class OrderingTest {

    private static String describe(Event e) {
        if (e instanceof MessageEvent m) {
            return "msg " + new String(m.payload());
        }
        ViewEvent v = (ViewEvent) e;
        return "view " + v.group() + " " + v.cause() + " " + v.members();
    }

    @Test
    void aViewBetweenTwoMessagesIsSeenBetweenThemByEveryMember() {
        EngineHarness h = new EngineHarness();
        h.connectReading(1, "a");
        h.connectReading(2, "b");
        h.connectReading(3, "c");
        h.connectReading(4, "d");
        h.joined(1, "g");
        h.joined(2, "g");
        h.joined(3, "g");
        // c reads late: its events queue in the daemon meanwhile and must keep their order
        h.writable(3, false);

        h.send(1, "g", "m1");
        h.joined(4, "g");
        h.send(2, "g", "m2");
        h.leave(1, "g");
        h.send(4, "g", "m3");
        h.disconnect(2, false);
        h.send(4, "g", "m4");
        h.writable(3, true);

        List<String> atC = h.events(3).stream().map(OrderingTest::describe).toList();
        assertThat(atC).containsExactly(
                "view g JOIN [#a#localhost, #b#localhost, #c#localhost]",
                "msg m1",
                "view g JOIN [#a#localhost, #b#localhost, #c#localhost, #d#localhost]",
                "msg m2",
                "view g LEAVE [#b#localhost, #c#localhost, #d#localhost]",
                "msg m3",
                "view g DISCONNECT [#c#localhost, #d#localhost]",
                "msg m4");
        // every member sees the part of that order it was there for, identically
        assertThat(h.events(4).stream().map(OrderingTest::describe).toList()).isEqualTo(atC.subList(2, 8));
        List<String> atB = h.events(2).stream().map(OrderingTest::describe).toList();
        assertThat(atB.subList(atB.size() - 6, atB.size())).isEqualTo(atC.subList(0, 6));
        List<String> atA = h.events(1).stream().map(OrderingTest::describe).toList();
        assertThat(atA.subList(atA.size() - 5, atA.size() - 1)).isEqualTo(atC.subList(0, 4));
        assertThat(((ViewEvent) h.events(1).get(h.events(1).size() - 1)).selfLeave()).isTrue();
    }

    @Test
    void aMessagesOnlyStreamAndAnAllStreamKeepTheSameMessageOrderUnderDifferentCredits() {
        EngineHarness h = new EngineHarness();
        h.connectReading(1, "a");
        h.connectReading(2, "b");
        h.subscribe(2, 2, new StreamFilter("g", true, false));
        h.joined(2, "g");
        for (int i = 0; i < 10; i++) {
            h.send(1, "g", "m" + i);
            if (i % 3 == 0) {
                h.credit(2, 2, 2);
            }
        }
        h.credit(2, 2, 100);
        assertThat(h.events(2, 2).stream().map(OrderingTest::describe).toList())
                .isEqualTo(h.messages(2).stream().map(OrderingTest::describe).toList());
    }
}

package io.consort.samples.chat;

import io.consort.reactive.GroupEvent;
import io.consort.reactive.GroupMessage;
import io.consort.reactive.GroupView;
import io.consort.reactive.TransitionalSignal;

/**
 * How the chat prints what arrives: one line per event, a fixed first word (view, msg, trans) so
 * that a reader (or a test, or grep) can pick them apart.
 *
 * <pre>
 * view  chat id=1.7 JOIN of [#bob#localhost] members=[#alice#localhost, #bob#localhost] vs-set=[]
 * msg   from #alice#localhost AGREED type=0 to [chat] (5 bytes): hello
 * trans chat ending view 1.7
 * </pre>
 */
public final class ChatFormat {
    private ChatFormat() {
    }

    /** The line printed for {@code event}. */
    public static String format(GroupEvent event) {
        if (event instanceof GroupMessage m) {
            return "msg   from " + m.sender() + " " + m.level() + " type=" + m.type() + " to " + m.groups()
                    + " (" + m.payloadLength() + " bytes): " + m.text();
        }
        if (event instanceof GroupView v) {
            if (v.selfLeave()) {
                // The self-leave view has no members: say plainly that this is the end of the group for us.
                return "view  " + v.group() + " id=" + v.id() + " " + v.cause() + " of " + v.changed()
                        + " (you left: last event of this group)";
            }
            return "view  " + v.group() + " id=" + v.id() + " " + v.cause() + " of " + v.changed() + " members="
                    + v.members() + " vs-set=" + v.vsSet();
        }
        TransitionalSignal t = (TransitionalSignal) event;
        return "trans " + t.group() + " ending view " + t.previous();
    }
}

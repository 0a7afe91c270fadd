package io.consort.core;

import java.util.List;

/**
 * One connected session as a monitor shows it: taken on the engine's thread by {@link Engine#sessionFigures()}.
 *
 * <pre>{@code
 * for (SessionFigures s : engine.sessionFigures()) {
 *     System.out.println(s.privateName() + " " + s.bufferedBytes());
 * }
 * }</pre>
 *
 * @param id            the daemon's id for the connection
 * @param privateName   the session's private name ({@code #user#daemon})
 * @param bufferedBytes bytes the daemon holds for it, not yet written to its connection
 * @param unorderedBytes payload bytes of its multicasts taken in and not yet ordered
 * @param groups        the groups it is a member of, in the order it joined them
 */
public record SessionFigures(long id, String privateName, long bufferedBytes, long unorderedBytes, List<String> groups) {
    public SessionFigures {
        groups = List.copyOf(groups);
    }
}

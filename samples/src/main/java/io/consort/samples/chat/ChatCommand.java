package io.consort.samples.chat;

import io.consort.core.ServiceLevel;
import java.util.Locale;
import java.util.Objects;

/**
 * One line typed at the chat prompt, parsed. The syntax is spuser's, one letter and its arguments:
 *
 * <pre>
 * j &lt;group&gt;                  join
 * l &lt;group&gt;                  leave
 * s &lt;group&gt; &lt;text&gt;           send AGREED
 * m &lt;level&gt; &lt;group&gt; &lt;text&gt;   send at unreliable|reliable|fifo|causal|agreed|safe
 * u &lt;#user#daemon&gt; &lt;text&gt;    unicast to a private name
 * h                          help
 * q                          quit
 * </pre>
 */
public sealed interface ChatCommand {
    /** What {@code h} prints, and what a mistyped line is answered with. */
    String USAGE = "commands:\n"
            + "  j <group>                 join\n"
            + "  l <group>                 leave\n"
            + "  s <group> <text>          send AGREED\n"
            + "  m <level> <group> <text>  send at unreliable|reliable|fifo|causal|agreed|safe\n"
            + "  u <#user#daemon> <text>   unicast\n"
            + "  h                         this help\n"
            + "  q                         quit";

    /** Join a group. */
    record Join(String group) implements ChatCommand {
    }

    /** Leave a group. */
    record Leave(String group) implements ChatCommand {
    }

    /** Send text to a group (or a private name) at a level. */
    record Send(ServiceLevel level, String group, String text) implements ChatCommand {
    }

    /** Print the usage. */
    record Help() implements ChatCommand {
    }

    /** Close the session and stop reading. */
    record Quit() implements ChatCommand {
    }

    /** A blank line: nothing to do. */
    record Nothing() implements ChatCommand {
    }

    /**
     * Parses one line.
     *
     * @throws IllegalArgumentException with a message fit to print when the line is not a command
     */
    static ChatCommand parse(String line) {
        Objects.requireNonNull(line, "line");
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
            return new Nothing();
        }
        // The text is the rest of the line, spaces and all, so split off at most the leading words.
        String[] w = trimmed.split("\\s+", 4);
        String verb = w[0];
        switch (verb) {
            case "j":
                return new Join(arg(w, 1, "j <group>"));
            case "l":
                return new Leave(arg(w, 1, "l <group>"));
            case "s": {
                String[] p = trimmed.split("\\s+", 3);
                return new Send(ServiceLevel.AGREED, arg(p, 1, "s <group> <text>"), arg(p, 2, "s <group> <text>"));
            }
            case "m": {
                String usage = "m <level> <group> <text>";
                return new Send(level(arg(w, 1, usage)), arg(w, 2, usage), arg(w, 3, usage));
            }
            case "u": {
                String[] p = trimmed.split("\\s+", 3);
                String to = arg(p, 1, "u <#user#daemon> <text>");
                if (!to.startsWith("#")) {
                    throw new IllegalArgumentException("a private name looks like #user#daemon, not " + to);
                }
                return new Send(ServiceLevel.AGREED, to, arg(p, 2, "u <#user#daemon> <text>"));
            }
            case "h":
            case "?":
                return new Help();
            case "q":
                return new Quit();
            default:
                throw new IllegalArgumentException("unknown command '" + verb + "'; h for help");
        }
    }

    private static String arg(String[] words, int index, String usage) {
        if (words.length <= index || words[index].isEmpty()) {
            throw new IllegalArgumentException("usage: " + usage);
        }
        return words[index];
    }

    private static ServiceLevel level(String name) {
        try {
            return ServiceLevel.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown level '" + name + "'; one of unreliable, reliable, fifo, causal, agreed, safe");
        }
    }
}

package io.consort.core;

import java.nio.charset.StandardCharsets;

/**
 * Validation of group and private names. Group names are printable ASCII without '#' and
 * without spaces; a private name has the form {@code #user#daemon}.
 */
public final class Names {
    private Names() {
    }

    /** Whether this name is a session's private name ({@code #user#daemon}). */
    public static boolean isPrivateName(String name) {
        return !name.isEmpty() && name.charAt(0) == '#';
    }

    /** The private name of user {@code user} on daemon {@code daemon}. */
    public static String privateName(String user, String daemon) {
        return "#" + user + "#" + daemon;
    }

    /**
     * Checks a group name, or a private name used as a destination.
     *
     * @throws ConsortException with {@link ErrorCode#INVALID_GROUP_NAME}
     */
    public static void checkDestination(String name, int maxBytes) {
        if (isPrivateName(name)) {
            int second = name.indexOf('#', 1);
            if (second <= 1 || second == name.length() - 1
                    || !isPlainToken(name.substring(1, second), Integer.MAX_VALUE)
                    || !isPlainToken(name.substring(second + 1), Integer.MAX_VALUE)
                    || name.length() > 2 * maxBytes) {
                throw new ConsortException(ErrorCode.INVALID_GROUP_NAME, "invalid private group name '" + printable(name) + "'");
            }
            return;
        }
        checkGroup(name, maxBytes);
    }

    /**
     * Checks a group name that can be joined.
     *
     * @throws ConsortException with {@link ErrorCode#INVALID_GROUP_NAME}
     */
    public static void checkGroup(String name, int maxBytes) {
        if (!isPlainToken(name, maxBytes)) {
            throw new ConsortException(ErrorCode.INVALID_GROUP_NAME,
                    "invalid group name '" + printable(name) + "': 1 to " + maxBytes
                            + " bytes of printable ASCII, no '#' and no space");
        }
    }

    /**
     * Checks the user part of a requested private name.
     *
     * @throws ConsortException with {@link ErrorCode#INVALID_PRIVATE_NAME}
     */
    public static void checkUser(String user, int maxBytes) {
        if (!isPlainToken(user, maxBytes)) {
            throw new ConsortException(ErrorCode.INVALID_PRIVATE_NAME,
                    "invalid private name '" + printable(user) + "': 1 to " + maxBytes
                            + " bytes of printable ASCII, no '#' and no space");
        }
    }

    private static boolean isPlainToken(String s, int maxBytes) {
        if (s.isEmpty() || s.length() > maxBytes) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '#') {
                return false;
            }
        }
        return true;
    }

    /** The name with anything unprintable escaped and cut to a readable length, for error texts. */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 64; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        if (b.length() >= 64) {
            b.append("...");
        }
        return b.toString();
    }

    /** The UTF-8 length of a string. */
    public static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}

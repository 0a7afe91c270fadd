package io.consort.daemon.security;

import java.util.Objects;

/**
 * A name pattern: {@code *} matches any run of characters (none included), {@code ?} exactly one,
 * everything else itself. {@code orders.*} matches {@code orders.eu} and {@code orders.}; {@code *}
 * matches everything.
 *
 * <pre>{@code
 * Glob.of("orders.*").matches("orders.eu"); // true
 * }</pre>
 */
public final class Glob {
    private final String pattern;

    private Glob(String pattern) {
        this.pattern = pattern;
    }

    /** The pattern {@code pattern}; it may not be empty. */
    public static Glob of(String pattern) {
        Objects.requireNonNull(pattern, "pattern");
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("a pattern may not be empty (use * for everything)");
        }
        return new Glob(pattern);
    }

    /** Whether {@code name} matches. Linear in the lengths (no backtracking blow-up). */
    public boolean matches(String name) {
        int p = 0;
        int n = 0;
        int star = -1;
        int mark = 0;
        while (n < name.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == name.charAt(n))) {
                p++;
                n++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = n;
            } else if (star >= 0) {
                p = star + 1;
                n = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Glob g && g.pattern.equals(pattern);
    }

    @Override
    public int hashCode() {
        return pattern.hashCode();
    }

    @Override
    public String toString() {
        return pattern;
    }
}

package io.consort.daemon.security;

import java.util.Objects;

/**
 * Who a session is, as its daemon's {@link Authenticator} established it: an authenticated name (a
 * password identity, or a client certificate's subject) or {@link #ANONYMOUS}. Access rules are
 * written against these names.
 *
 * <pre>{@code
 * Identity alice = Identity.of("alice");
 * boolean mayJoin = policy.allows(alice, Permission.JOIN, "orders");
 * }</pre>
 *
 * @param name          the identity's name; empty for the anonymous one
 * @param authenticated false only for {@link #ANONYMOUS}
 */
public record Identity(String name, boolean authenticated) {
    /** The identity of a session that presented no credentials. */
    public static final Identity ANONYMOUS = new Identity("", false);

    public Identity {
        Objects.requireNonNull(name, "name");
        if (authenticated == name.isEmpty()) {
            throw new IllegalArgumentException(authenticated ? "an authenticated identity needs a name"
                    : "the anonymous identity has no name");
        }
    }

    /** An authenticated identity named {@code name}. */
    public static Identity of(String name) {
        return new Identity(name, true);
    }

    @Override
    public String toString() {
        return authenticated ? name : "(anonymous)";
    }
}

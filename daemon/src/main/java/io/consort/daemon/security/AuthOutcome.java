package io.consort.daemon.security;

import java.util.Objects;

/**
 * What an {@link Authenticator} made of a request: who it is, that it presented nothing this
 * authenticator checks, or that what it presented is wrong.
 *
 * <pre>{@code
 * return ok ? AuthOutcome.authenticated(Identity.of(name)) : AuthOutcome.refused();
 * }</pre>
 */
public sealed interface AuthOutcome {
    /** The request proved this identity. */
    record Authenticated(Identity identity) implements AuthOutcome {
        public Authenticated {
            Objects.requireNonNull(identity, "identity");
        }
    }

    /** The request carries no credentials of the kind this authenticator checks: ask the next one. */
    record NotPresented() implements AuthOutcome {
    }

    /** The request's credentials are wrong: the client gets AUTH_FAILED and nothing more. */
    record Refused() implements AuthOutcome {
    }

    static AuthOutcome authenticated(Identity identity) {
        return new Authenticated(identity);
    }

    static AuthOutcome notPresented() {
        return new NotPresented();
    }

    static AuthOutcome refused() {
        return new Refused();
    }
}

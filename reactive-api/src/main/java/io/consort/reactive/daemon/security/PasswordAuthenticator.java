package io.consort.reactive.daemon.security;

import java.util.Map;
import java.util.TreeMap;

/** {@link Authenticator#passwords(Map)}: identities with PBKDF2 password hashes. */
final class PasswordAuthenticator implements Authenticator {
    /**
     * Checked for an unknown identity so that it costs as long as a wrong password: the answer's
     * timing does not tell a guesser which identities exist.
     */
    private static final String DECOY = PasswordHash.hash("decoy".toCharArray());

    private final Map<String, String> hashes;

    PasswordAuthenticator(Map<String, String> hashes) {
        this.hashes = new TreeMap<>(hashes);
        this.hashes.forEach((identity, hash) -> {
            if (identity.isEmpty()) {
                throw new IllegalArgumentException("a password identity needs a name");
            }
            PasswordHash.requireWellFormed(hash, identity);
        });
    }

    @Override
    public AuthOutcome authenticate(AuthRequest request) {
        String identity = request.identity();
        byte[] secret = request.secret();
        if (identity == null || secret == null) {
            return AuthOutcome.notPresented();
        }
        String hash = hashes.get(identity);
        boolean ok = PasswordHash.verify(hash == null ? DECOY : hash, secret) && hash != null;
        return ok ? AuthOutcome.authenticated(Identity.of(identity)) : AuthOutcome.refused();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PasswordAuthenticator p && p.hashes.equals(hashes);
    }

    @Override
    public int hashCode() {
        return hashes.hashCode();
    }

    @Override
    public String toString() {
        return "passwords" + hashes.keySet();
    }
}

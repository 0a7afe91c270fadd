package io.consort.daemon.security;

import java.util.Map;
import java.util.TreeMap;

/** {@link Authenticator#passwords(Map)}: identities with PBKDF2 password hashes. */
final class PasswordAuthenticator implements Authenticator {
    private final Map<String, String> hashes;
    /**
     * Checked for an unknown identity so that it costs as long as a wrong password (same iterations
     * as the costliest stored hash): the answer's timing does not tell a guesser which identities exist.
     */
    private final String decoy;

    PasswordAuthenticator(Map<String, String> hashes) {
        this.hashes = new TreeMap<>(hashes);
        int iterations = PasswordHash.ITERATIONS_MIN;
        for (Map.Entry<String, String> e : this.hashes.entrySet()) {
            if (e.getKey().isEmpty()) {
                throw new IllegalArgumentException("a password identity needs a name");
            }
            PasswordHash.requireWellFormed(e.getValue(), e.getKey());
            iterations = Math.max(iterations, Integer.parseInt(e.getValue().split(":")[1]));
        }
        this.decoy = PasswordHash.hash("decoy".toCharArray(), iterations);
    }

    @Override
    public AuthOutcome authenticate(AuthRequest request) {
        String identity = request.identity();
        byte[] secret = request.secret();
        if (identity == null || secret == null) {
            return AuthOutcome.notPresented();
        }
        String hash = hashes.get(identity);
        boolean ok = PasswordHash.verify(hash == null ? decoy : hash, secret) && hash != null;
        return ok ? AuthOutcome.authenticated(Identity.of(identity)) : AuthOutcome.refused();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PasswordAuthenticator p && p.hashes.equals(hashes); // the decoy is random, not configuration
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

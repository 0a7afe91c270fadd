package io.consort.daemon.security;

/** {@link Authenticator#none()}: nobody is checked, everybody is anonymous. */
final class NoAuthenticator implements Authenticator {
    static final NoAuthenticator INSTANCE = new NoAuthenticator();

    private NoAuthenticator() {
    }

    @Override
    public AuthOutcome authenticate(AuthRequest request) {
        return AuthOutcome.notPresented();
    }

    @Override
    public String toString() {
        return "none";
    }
}

package io.consort.daemon.security;

import javax.security.auth.x500.X500Principal;

/** {@link Authenticator#certificateSubject()}: the client certificate's subject is the identity. */
final class CertificateSubjectAuthenticator implements Authenticator {
    static final CertificateSubjectAuthenticator INSTANCE = new CertificateSubjectAuthenticator();

    private CertificateSubjectAuthenticator() {
    }

    @Override
    public AuthOutcome authenticate(AuthRequest request) {
        if (request.peerCertificates().isEmpty()) {
            return AuthOutcome.notPresented();
        }
        String subject = request.peerCertificates().get(0).getSubjectX500Principal().getName(X500Principal.RFC2253);
        return subject.isEmpty() ? AuthOutcome.refused() : AuthOutcome.authenticated(Identity.of(subject));
    }

    @Override
    public String toString() {
        return "certificate";
    }
}

package io.consort.spring.autoconfigure;

import io.consort.reactive.ClientTls;
import io.consort.reactive.ConsortClient;
import io.consort.reactive.Credentials;
import java.nio.file.Path;

/**
 * Turns {@code consort.tls.*}, {@code consort.identity} and {@code consort.password} into the
 * client's TLS and credentials, refusing half a configuration at startup rather than at the first
 * connection.
 *
 * <pre>{@code
 * ConsortClient client = SecurityProperties.apply(properties, ConsortClient.create());
 * }</pre>
 */
final class SecurityProperties {
    private SecurityProperties() {
    }

    static ConsortClient apply(ConsortProperties properties, ConsortClient client) {
        ConsortProperties.Tls tls = properties.getTls();
        if (tls.isEnabled()) {
            String trusted = tls.getTrustedCertificates();
            ClientTls t = trusted == null || trusted.isBlank() ? ClientTls.systemTrust() : ClientTls.trusting(Path.of(trusted));
            String chain = tls.getCertificateChain();
            String key = tls.getPrivateKey();
            if ((chain == null) != (key == null)) {
                throw new IllegalArgumentException("consort.tls.certificate-chain and consort.tls.private-key go together");
            }
            if (chain != null && key != null) {
                t = t.withCertificate(Path.of(chain), Path.of(key));
            }
            client = client.tls(t.withHostnameVerification(tls.isHostnameVerification()));
        } else if (tls.getTrustedCertificates() != null || tls.getCertificateChain() != null) {
            throw new IllegalArgumentException("consort.tls.* is set but consort.tls.enabled is not true");
        }
        String identity = properties.getIdentity();
        String password = properties.getPassword();
        if ((identity == null) != (password == null)) {
            throw new IllegalArgumentException("consort.identity and consort.password go together");
        }
        if (identity != null && password != null) {
            client = client.credentials(Credentials.password(identity, password));
        }
        return client;
    }
}

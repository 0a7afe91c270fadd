package io.consort.protocol;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads the PEM files TLS is configured with: certificates ({@code BEGIN CERTIFICATE}) and an
 * unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}; RSA, EC or EdDSA).
 *
 * <pre>{@code
 * List<X509Certificate> chain = Pem.certificates(Files.readAllBytes(chainFile));
 * PrivateKey key = Pem.privateKey(Files.readAllBytes(keyFile));
 * Pem.requireMatch(key, chain.get(0));
 * }</pre>
 */
public final class Pem {
    private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String KEY_END = "-----END PRIVATE KEY-----";

    private Pem() {
    }

    /** The certificates of a PEM file, in file order; at least one. */
    public static List<X509Certificate> certificates(byte[] pem) throws GeneralSecurityException {
        CertificateFactory f = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        for (var c : f.generateCertificates(new ByteArrayInputStream(pem))) {
            out.add((X509Certificate) c);
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException("no certificate in the file");
        }
        return out;
    }

    /** The private key of a PEM file holding one unencrypted PKCS#8 key. */
    public static PrivateKey privateKey(byte[] pem) throws GeneralSecurityException {
        String text = new String(pem, StandardCharsets.US_ASCII);
        int begin = text.indexOf(KEY_BEGIN);
        int end = text.indexOf(KEY_END);
        if (begin < 0 || end < begin) {
            throw new GeneralSecurityException("no '" + KEY_BEGIN + "' block (an unencrypted PKCS#8 key; convert with"
                    + " openssl pkcs8 -topk8 -nocrypt)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + KEY_BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("the private key is not valid base64");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC", "EdDSA", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next
            }
        }
        throw new GeneralSecurityException("the private key is not an RSA, EC or EdDSA PKCS#8 key");
    }

    /**
     * Throws unless {@code key} belongs to {@code certificate}: a rotation that has written the new
     * certificate but not yet the new key must not be loaded.
     */
    public static void requireMatch(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> key.getAlgorithm();
            case "RSASSA-PSS" -> null;
            default -> null;
        };
        if (algorithm == null) {
            return; // no cheap check for it; the handshake will tell
        }
        byte[] probe = new byte[32];
        new SecureRandom().nextBytes(probe);
        Signature s = Signature.getInstance(algorithm);
        s.initSign(key);
        s.update(probe);
        byte[] sig = s.sign();
        Signature v = Signature.getInstance(algorithm);
        v.initVerify(certificate.getPublicKey());
        v.update(probe);
        if (!v.verify(sig)) {
            throw new GeneralSecurityException("the private key does not belong to the first certificate");
        }
    }
}

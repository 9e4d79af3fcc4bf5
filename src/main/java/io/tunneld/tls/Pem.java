package io.tunneld.tls;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.net.impl.pkcs1.PrivateKeyParser;

/**
 * Reads PEM certificate chains and private keys as Vert.x reads them (PKCS#8, PKCS#1 RSA and
 * SEC1 EC keys, as cert-manager writes them), without the key store Vert.x builds around
 * them: its PKCS#12 key protection cost three PBKDF2 runs at start (a store and two loads),
 * about 0.3 s of start-up.
 */
final class Pem {

    /** One block; text around blocks (as openssl prints it) is ignored. */
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

    private Pem() {
    }

    /** The CERTIFICATE blocks, in order (the leaf first, as TLS sends them). */
    static X509Certificate[] certificates(byte[] pem) throws GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> chain = new ArrayList<>();
        for (Block block : blocks(pem)) {
            if (block.type().equals("CERTIFICATE")) {
                chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
            }
        }
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no PEM CERTIFICATE in it");
        }
        return chain.toArray(X509Certificate[]::new);
    }

    /** The first private key block. */
    static PrivateKey privateKey(byte[] pem) throws GeneralSecurityException {
        for (Block block : blocks(pem)) {
            byte[] der = block.der();
            try {
                switch (block.type()) {
                    case "PRIVATE KEY":
                        return KeyFactory.getInstance(PrivateKeyParser.getPKCS8EncodedKeyAlgorithm(der))
                                .generatePrivate(new PKCS8EncodedKeySpec(der));
                    case "RSA PRIVATE KEY":
                        return KeyFactory.getInstance("RSA").generatePrivate(PrivateKeyParser.getRSAKeySpec(der));
                    case "EC PRIVATE KEY":
                        return KeyFactory.getInstance("EC").generatePrivate(PrivateKeyParser.getECKeySpec(der));
                    default:
                        break;
                }
            } catch (RuntimeException e) { // Vert.x's parser reports bad DER so
                throw new GeneralSecurityException(block.type() + " unreadable: " + e.getMessage(), e);
            }
        }
        throw new GeneralSecurityException("no PEM PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY in it");
    }

    private static List<Block> blocks(byte[] pem) throws GeneralSecurityException {
        Matcher m = BLOCK.matcher(new String(pem, StandardCharsets.US_ASCII));
        List<Block> blocks = new ArrayList<>();
        while (m.find()) {
            try {
                blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new GeneralSecurityException(m.group(1) + " is not base64", e);
            }
        }
        return blocks;
    }

    private record Block(String type, byte[] der) {
    }
}

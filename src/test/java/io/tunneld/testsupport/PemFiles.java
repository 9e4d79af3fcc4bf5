package io.tunneld.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import io.tunneld.tls.SelfSignedCertificate;

/** A fresh self-signed certificate and its key, written to temporary PEM files deleted at exit. */
public record PemFiles(Path cert, Path key) {

    /** A certificate valid for a year. */
    public static PemFiles selfSigned(String... dnsNames) {
        return selfSigned(Duration.ofDays(365), dnsNames);
    }

    /** A certificate that expires {@code validity} from now. */
    public static PemFiles selfSigned(Duration validity, String... dnsNames) {
        SelfSignedCertificate generated = SelfSignedCertificate.create(List.of(dnsNames), validity);
        try {
            Path dir = Files.createTempDirectory("tunneld-tls");
            Path cert = Files.writeString(dir.resolve("tls.crt"),
                    pem("CERTIFICATE", generated.certificate().getEncoded()));
            Path key = Files.writeString(dir.resolve("tls.key"), pem("PRIVATE KEY", generated.privateKey().getEncoded()));
            dir.toFile().deleteOnExit();
            cert.toFile().deleteOnExit();
            key.toFile().deleteOnExit();
            return new PemFiles(cert, key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One PEM block of that type (CERTIFICATE, PRIVATE KEY, EC PRIVATE KEY...) for the DER bytes. */
    public static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}

package io.tunneld.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.tunneld.tls.SelfSignedCertificate;

/** A fresh self-signed certificate and its key, written to temporary PEM files deleted at exit. */
public record PemFiles(Path cert, Path key) {

    public static PemFiles selfSigned(String... dnsNames) {
        SelfSignedCertificate generated = SelfSignedCertificate.create(List.of(dnsNames));
        try {
            Path dir = Files.createTempDirectory("tunneld-tls");
            Path cert = Files.write(dir.resolve("tls.crt"), generated.certPem().getBytes());
            Path key = Files.write(dir.resolve("tls.key"), generated.keyPem().getBytes());
            dir.toFile().deleteOnExit();
            cert.toFile().deleteOnExit();
            key.toFile().deleteOnExit();
            return new PemFiles(cert, key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

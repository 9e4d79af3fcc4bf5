package io.tunneld.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

import org.jboss.logging.Logger;

/** A configured certificate chain file and key file, served by one or more listeners. */
final class CertificateFiles {

    private static final Logger LOG = Logger.getLogger(CertificateFiles.class);

    private final Path certFile;
    private final Path keyFile;
    private final String domain;
    /** The listeners serving these files, as log lines name them ("tunnel, https"). */
    private final String listeners;
    private final SwappableKeyManager keys;

    private CertificateFiles(Path certFile, Path keyFile, String domain, String listeners)
            throws UnusableTlsFilesException {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.domain = domain;
        this.listeners = listeners;
        Credentials credentials = parse(read());
        this.keys = new SwappableKeyManager(credentials);
        warnUnlessCovered(credentials);
    }

    /** Reads and checks the files; refuses them if they cannot be served, warns if they do not cover the domain. */
    static CertificateFiles load(Path certFile, Path keyFile, String domain, String listeners)
            throws UnusableTlsFilesException {
        return new CertificateFiles(certFile, keyFile, domain, listeners);
    }

    /** The key manager that serves the current content. */
    SwappableKeyManager keys() {
        return keys;
    }

    private Content read() throws UnusableTlsFilesException {
        return new Content(readFile(certFile), readFile(keyFile));
    }

    private byte[] readFile(Path file) throws UnusableTlsFilesException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw unusable("cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private Credentials parse(Content content) throws UnusableTlsFilesException {
        X509Certificate[] chain;
        try {
            chain = Pem.certificates(content.cert());
        } catch (GeneralSecurityException e) {
            throw unusable(certFile + ": " + e.getMessage());
        }
        PrivateKey key;
        try {
            key = Pem.privateKey(content.key());
        } catch (GeneralSecurityException e) {
            throw unusable(keyFile + ": " + e.getMessage());
        }
        Credentials credentials = Credentials.of(chain, key);
        if (!credentials.keyMatches()) {
            throw unusable("the key does not match the certificate");
        }
        return credentials;
    }

    private UnusableTlsFilesException unusable(String reason) {
        return new UnusableTlsFilesException(
                "TLS certificate " + certFile + " and key " + keyFile + " of " + listeners + ": " + reason);
    }

    private void warnUnlessCovered(Credentials credentials) {
        CertificateNames names = CertificateNames.of(credentials.leaf());
        if (!names.coversDomain(domain)) {
            LOG.warnf("TLS certificate %s of %s is for %s: it covers neither the domain %s nor *.%s, "
                    + "so clients will refuse it under the domain's names", certFile, listeners, names, domain, domain);
        }
    }

    /** The bytes of both files. */
    private record Content(byte[] cert, byte[] key) {
    }
}

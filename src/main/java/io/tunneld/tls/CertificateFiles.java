package io.tunneld.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;

import org.jboss.logging.Logger;

/**
 * A configured certificate chain file and key file, served by one or more listeners. Loaded
 * once at start; then {@link #reload()} reads them again and serves new content from the next
 * handshake on, or refuses it with a log line and keeps serving what it had.
 */
final class CertificateFiles {

    private static final Logger LOG = Logger.getLogger(CertificateFiles.class);

    private final Path certFile;
    private final Path keyFile;
    private final String domain;
    /** The listeners serving these files, as log lines name them ("tunnel, https"). */
    private final String listeners;
    private final SwappableKeyManager keys;
    /** What the files held at the last check, served or refused: the same content is not tried twice. */
    private Content seen;
    /** Why the files could not be read at the last check (logged once), or null. */
    private String unreadable;

    private CertificateFiles(Path certFile, Path keyFile, String domain, String listeners)
            throws UnusableTlsFilesException {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.domain = domain;
        this.listeners = listeners;
        this.seen = read();
        Credentials credentials = parse(seen);
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

    /**
     * Reads the files again (blocking) and serves their content if it changed and can be served.
     * The files are read twice and must agree: a reader caught between the writes of a renewal
     * (a certificate new, its key not yet) leaves them for the next check.
     */
    synchronized void reload() {
        Content content;
        try {
            content = read();
            if (!content.equals(read())) {
                return;
            }
        } catch (UnusableTlsFilesException e) {
            if (!e.getMessage().equals(unreadable)) {
                unreadable = e.getMessage();
                LOG.error(refused(e));
            }
            return;
        }
        unreadable = null;
        if (content.equals(seen)) {
            return;
        }
        seen = content;
        try {
            Credentials next = parse(content);
            keys.use(next);
            LOG.infof("TLS certificate %s reloaded for %s: %s, valid until %s (SHA-256 %s)", certFile, listeners,
                    CertificateNames.of(next.leaf()), next.notAfter(), next.sha256Fingerprint());
            warnUnlessCovered(next);
        } catch (UnusableTlsFilesException e) {
            LOG.error(refused(e));
        }
    }

    private String refused(UnusableTlsFilesException e) {
        return e.getMessage() + "; not reloaded, still serving the certificate valid until "
                + keys.current().notAfter();
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
        @Override
        public boolean equals(Object o) {
            return o instanceof Content c && Arrays.equals(cert, c.cert) && Arrays.equals(key, c.key);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(cert) + Arrays.hashCode(key);
        }
    }
}

package io.tunneld.tls;

/** Certificate and key files that cannot be served: unreadable, not PEM, or a key of another certificate. */
final class UnusableTlsFilesException extends Exception {

    UnusableTlsFilesException(String message) {
        super(message);
    }
}

package io.tunneld.protocol;

/** A peer broke the wire protocol; the connection it came on is closed, nothing else. */
public final class ProtocolException extends Exception {

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.tunneld.testclient;

import java.io.IOException;

/**
 * A frame this client could not read: an absurd length, a body split across reads where Go
 * reads it in one, or a body that is not a 1.x JSON envelope. The peer sent something wrong;
 * unlike a close or a reset, it does not mean the peer ended the connection.
 */
public final class MalformedFrameException extends IOException {

    public MalformedFrameException(String message) {
        super(message);
    }

    public MalformedFrameException(String message, Throwable cause) {
        super(message, cause);
    }
}

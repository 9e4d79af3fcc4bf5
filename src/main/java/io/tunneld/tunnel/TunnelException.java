package io.tunneld.tunnel;

/** A tunnel request that cannot be granted; the message goes to the client as NewTunnel.Error. */
public final class TunnelException extends RuntimeException {

    public TunnelException(String message) {
        super(message, null, false, false);
    }
}

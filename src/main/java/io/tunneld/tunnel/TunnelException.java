package io.tunneld.tunnel;

/** A tunnel request that cannot be granted; the message goes to the client as NewTunnel.Error. */
public final class TunnelException extends RuntimeException {

    public TunnelException(String message) {
        super(message, null, false, false);
    }

    /** The URL (or TCP port) is held by another tunnel, worded as 1.x words it. */
    public static TunnelException alreadyRegistered(String url) {
        return new TunnelException("The tunnel " + url + " is already registered.");
    }
}

package io.tunneld.tunnel;

/** A tunnel request that cannot be granted; the message goes to the client as NewTunnel.Error. */
public final class TunnelException extends RuntimeException {

    private final boolean taken;

    public TunnelException(String message) {
        this(message, false);
    }

    private TunnelException(String message, boolean taken) {
        super(message, null, false, false);
        this.taken = taken;
    }

    /** The URL (or TCP port) is held by another tunnel, worded as 1.x words it. */
    public static TunnelException alreadyRegistered(String url) {
        return new TunnelException("The tunnel " + url + " is already registered.", true);
    }

    /** Whether the route was held by another session (another random one may be free). */
    public boolean taken() {
        return taken;
    }
}

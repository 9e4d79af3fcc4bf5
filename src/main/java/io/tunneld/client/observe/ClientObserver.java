package io.tunneld.client.observe;

import java.time.Duration;

/**
 * What a view of the running client (a status screen, an inspection page, the plain console
 * lines) is told. Called on the client's event loops: implementations return at once and
 * hand anything slow to a thread of their own. Every method has a do-nothing default so
 * that a view implements only what it shows.
 */
public interface ClientObserver {

    /** Observes nothing. */
    ClientObserver NONE = new ClientObserver() {
    };

    /** A control connection to {@code serverAddr} is being opened. */
    default void connecting(String serverAddr) {
    }

    /** The server accepted the Auth; {@code serverVersion} is its AuthResp.MmVersion. */
    default void online(String serverVersion) {
    }

    /** The server opened a tunnel (again, after a reconnection). */
    default void tunnelOpened(OpenTunnel tunnel) {
    }

    /** The control connection failed; the next attempt is {@code delay} away. */
    default void reconnecting(String reason, Duration delay) {
    }

    /** The client stopped for good, {@code message} saying why. */
    default void stopped(String message) {
    }

    /**
     * A public connection came through {@code tunnel} and is about to be relayed to its local
     * address.
     *
     * @param clientAddr the public peer's address, as the server reported it
     * @return what is told about this connection, or {@code null} for nothing (then relaying
     *         costs no more than with no observer at all)
     */
    default ConnectionObserver connectionOpened(OpenTunnel tunnel, String clientAddr) {
        return null;
    }
}

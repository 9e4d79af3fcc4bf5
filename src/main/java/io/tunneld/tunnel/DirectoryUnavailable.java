package io.tunneld.tunnel;

/**
 * The cluster directory could not be reached to open a session or claim a route. Nothing was
 * granted; tunnels that exist keep serving. A stock 1.x client quits on any error it is told,
 * so the session is closed instead, and the client comes back with its id after a pause.
 */
public final class DirectoryUnavailable extends RuntimeException {

    public DirectoryUnavailable(String message) {
        super(message, null, false, false);
    }
}

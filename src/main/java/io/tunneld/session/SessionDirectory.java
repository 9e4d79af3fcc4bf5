package io.tunneld.session;

import java.util.Optional;
import java.util.function.Supplier;

import io.tunneld.auth.Principal;
import io.vertx.core.Future;

/**
 * Where sessions are opened under their ClientIds and what each id held is remembered: in
 * this process ({@link UrlAffinity}), or in the cluster directory, so that a client resuming
 * its id on any replica gets its random URLs and TCP ports back, and an id is one
 * principal's across the cluster.
 */
public interface SessionDirectory {

    /**
     * Opens session {@code instance} of {@code principal} under {@code requested} if it may
     * have that id (no other principal holds it or held it recently), else under
     * {@code newId}. Fails with {@link io.tunneld.tunnel.DirectoryUnavailable} if the
     * directory cannot be reached.
     */
    Future<SessionGrant> open(Optional<String> requested, Principal principal, String instance, Supplier<String> newId);

    /** The id held the random host {@code host}. */
    void rememberHost(String clientId, Principal principal, String host);

    /** The id held the TCP port {@code port}. */
    void rememberPort(String clientId, Principal principal, int port);

    /** Session {@code instance} ended: from now, what its id held is kept for {@code url-affinity}. */
    void closed(String clientId, String instance, Principal principal);
}

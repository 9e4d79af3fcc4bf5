package io.tunneld.tunnel;

import java.util.List;

import io.vertx.core.Future;

/**
 * Where a session's routes (HTTP(S) hosts, TCP ports) are claimed before they serve: in this
 * process alone, or in the cluster directory so that a name is unique across replicas. Once
 * granted, a route is in the {@link TunnelRegistry} and public connections find it.
 */
public interface RouteClaims {

    /**
     * Claims every route of {@code tunnels} for {@code claimant}, all or none. Fails with a
     * {@link TunnelException} the client may see when a route is held by another session
     * ({@link TunnelException#alreadyRegistered}), or with {@link DirectoryUnavailable}.
     */
    Future<Void> claim(Claimant claimant, List<Tunnel> tunnels);

    /** Frees the routes of {@code tunnels} that {@code claimant} still holds. */
    void release(Claimant claimant, List<Tunnel> tunnels);
}

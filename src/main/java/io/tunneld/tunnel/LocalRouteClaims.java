package io.tunneld.tunnel;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;

import io.vertx.core.Future;

/** Route claims on a single node: the registry itself decides, atomically per route. */
@ApplicationScoped
@Typed(LocalRouteClaims.class)
public class LocalRouteClaims implements RouteClaims {

    private final TunnelRegistry registry;

    public LocalRouteClaims(TunnelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Future<Void> claim(Claimant claimant, List<Tunnel> tunnels) {
        List<Tunnel> registered = new ArrayList<>();
        for (Tunnel tunnel : tunnels) {
            if (!registry.register(tunnel)) {
                registered.forEach(registry::unregister);
                return Future.failedFuture(TunnelException.alreadyRegistered(tunnel.url()));
            }
            registered.add(tunnel);
        }
        return Future.succeededFuture();
    }

    @Override
    public void release(Claimant claimant, List<Tunnel> tunnels) {
        tunnels.forEach(registry::unregister);
    }
}

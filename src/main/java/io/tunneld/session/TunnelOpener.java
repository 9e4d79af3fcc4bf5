package io.tunneld.session;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.tunneld.config.TunneldConfig;
import io.tunneld.protocol.PeerText;
import io.tunneld.protocol.ReqTunnel;
import io.tunneld.tcp.TcpPorts;
import io.tunneld.tunnel.BasicAuth;
import io.tunneld.tunnel.BasicAuthKey;
import io.tunneld.tunnel.Claimant;
import io.tunneld.tunnel.Protocol;
import io.tunneld.tunnel.RouteClaims;
import io.tunneld.tunnel.Tunnel;
import io.tunneld.tunnel.TunnelException;
import io.tunneld.tunnel.TunnelRegistry;
import io.tunneld.tunnel.UrlAssigner;
import io.vertx.core.Future;

/**
 * Turns a {@code ReqTunnel} into tunnels, one per protocol in the order asked
 * ("http+https" or "https+http"), the HTTP(S) ones sharing one host, each route claimed
 * before it serves. All or nothing: if one protocol fails, the ones already opened for that
 * request are closed again.
 */
@ApplicationScoped
public class TunnelOpener {

    /** Random hosts tried when another session took the one chosen meanwhile. */
    private static final int HOST_ATTEMPTS = 8;

    private final TunnelRegistry registry;
    private final RouteClaims claims;
    private final UrlAssigner urls;
    private final SessionDirectory sessions;
    private final TcpPorts tcpPorts;
    private final BasicAuthKey authKey;
    private final Set<Protocol> enabled = new LinkedHashSet<>();

    public TunnelOpener(TunnelRegistry registry, RouteClaims claims, UrlAssigner urls, SessionDirectory sessions,
            TcpPorts tcpPorts, BasicAuthKey authKey, TunneldConfig config) {
        this.registry = registry;
        this.claims = claims;
        this.urls = urls;
        this.sessions = sessions;
        this.tcpPorts = tcpPorts;
        this.authKey = authKey;
        if (config.http().enabled()) {
            enabled.add(Protocol.HTTP);
        }
        if (config.https().enabled()) {
            enabled.add(Protocol.HTTPS);
        }
        if (config.tcp().enabled()) {
            enabled.add(Protocol.TCP);
        }
    }

    /**
     * The protocols a request asks for that this server serves. A protocol that is turned off
     * is skipped in a combined request (the stock client asks "http+https" by default) but
     * refused when asked alone. Each name must be a wire name exactly: nothing trimmed, so
     * {@code "http\u0000"} or {@code "http\t"} is refused as ngrokd refuses it.
     */
    public List<Protocol> protocols(ReqTunnel request) {
        Set<Protocol> asked = new LinkedHashSet<>();
        for (String name : request.protocol().split("\\+", -1)) {
            asked.add(Protocol.of(name).orElseThrow(() ->
                    new TunnelException("Protocol " + PeerText.printable(name) + " is not supported")));
        }
        List<Protocol> served = asked.stream().filter(enabled::contains).toList();
        if (served.isEmpty()) {
            throw new TunnelException("Protocol " + PeerText.printable(request.protocol()) + " is not enabled on this server");
        }
        return served;
    }

    /**
     * Opens the tunnels, in the order of {@code protocols}; the future fails with a
     * {@link TunnelException} the client may see, or {@link io.tunneld.tunnel.DirectoryUnavailable}.
     */
    public Future<List<Tunnel>> open(Control control, ReqTunnel request, List<Protocol> protocols) {
        Claimant claimant = claimant(control);
        List<Protocol> web = protocols.stream().filter(p -> p != Protocol.TCP).toList();
        Future<List<Tunnel>> webTunnels = web.isEmpty() ? Future.succeededFuture(List.of())
                : openWeb(control, claimant, request, web);
        return webTunnels.compose(opened -> {
            if (!protocols.contains(Protocol.TCP)) {
                return Future.succeededFuture(opened);
            }
            return tcpPorts.open(claimant, control, request.remotePort(), control.remembered().ports())
                    .map(tcp -> inOrder(protocols, opened, tcp))
                    .recover(e -> {
                        close(control, opened);
                        return Future.failedFuture(e);
                    });
        }).onSuccess(opened -> remember(control, request, opened));
    }

    /** Frees the tunnels' routes and TCP ports. */
    public void close(Control control, List<Tunnel> tunnels) {
        Claimant claimant = claimant(control);
        List<Tunnel> web = new ArrayList<>();
        for (Tunnel tunnel : tunnels) {
            if (tunnel.protocol() == Protocol.TCP) {
                tcpPorts.close(claimant, tunnel);
            } else {
                web.add(tunnel);
            }
        }
        if (!web.isEmpty()) {
            claims.release(claimant, web);
        }
    }

    /** HTTP(S) tunnels on the requested host, or on a random one, preferring one this id held before. */
    private Future<List<Tunnel>> openWeb(Control control, Claimant claimant, ReqTunnel request, List<Protocol> web) {
        String requested;
        try {
            requested = urls.requestedHost(request);
        } catch (TunnelException e) {
            return Future.failedFuture(e);
        }
        BasicAuth auth = request.httpAuth().isEmpty() ? null : authKey.of(request.httpAuth());
        if (requested != null) {
            return claimWeb(control, claimant, web, requested, auth);
        }
        List<String> candidates = new ArrayList<>();
        List<String> previous = control.remembered().hosts();
        for (int i = previous.size() - 1; i >= 0; i--) {
            if (isFree(previous.get(i), web, control.id())) {
                candidates.add(previous.get(i));
            }
        }
        return firstFree(control, claimant, web, auth, candidates, HOST_ATTEMPTS);
    }

    private Future<List<Tunnel>> firstFree(Control control, Claimant claimant, List<Protocol> web, BasicAuth auth,
            List<String> candidates, int randomLeft) {
        String host;
        if (!candidates.isEmpty()) {
            host = candidates.remove(0);
        } else if (randomLeft > 0) {
            do {
                host = urls.randomHost();
            } while (!isFree(host, web, control.id()));
            randomLeft--;
        } else {
            return Future.failedFuture(new TunnelException("No free random host found; try again"));
        }
        int left = randomLeft;
        return claimWeb(control, claimant, web, host, auth).recover(e -> e instanceof TunnelException t && t.taken()
                ? firstFree(control, claimant, web, auth, candidates, left) : Future.failedFuture(e));
    }

    private Future<List<Tunnel>> claimWeb(Control control, Claimant claimant, List<Protocol> web, String host,
            BasicAuth auth) {
        List<Tunnel> tunnels = web.stream().map(p -> Tunnel.http(p, urls.url(p, host), host, auth, control)).toList();
        return claims.claim(claimant, tunnels).map(v -> tunnels);
    }

    private boolean isFree(String host, List<Protocol> web, String clientId) {
        return web.stream().noneMatch(p -> registry.heldByOther(Tunnel.httpRouteKey(p, host), clientId));
    }

    private static List<Tunnel> inOrder(List<Protocol> protocols, List<Tunnel> web, Tunnel tcp) {
        List<Tunnel> ordered = new ArrayList<>();
        for (Protocol p : protocols) {
            if (p == Protocol.TCP) {
                ordered.add(tcp);
            } else {
                web.stream().filter(t -> t.protocol() == p).forEach(ordered::add);
            }
        }
        return ordered;
    }

    private void remember(Control control, ReqTunnel request, List<Tunnel> opened) {
        boolean random = request.hostname().isEmpty() && request.subdomain().isEmpty();
        for (Tunnel tunnel : opened) {
            if (tunnel.protocol() == Protocol.TCP) {
                sessions.rememberPort(control.id(), control.principal(), tunnel.port());
            } else if (random) {
                sessions.rememberHost(control.id(), control.principal(), tunnel.host());
            }
        }
    }

    private static Claimant claimant(Control control) {
        return new Claimant(control.id(), control.instance(), control.principal().name());
    }
}

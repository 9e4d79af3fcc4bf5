package io.tunneld.tunnel;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.tunneld.config.TunneldConfig;
import io.tunneld.protocol.PeerText;
import io.tunneld.protocol.ReqTunnel;
import io.tunneld.session.Control;
import io.tunneld.tcp.TcpPorts;
import io.vertx.core.Future;

/**
 * Turns a {@code ReqTunnel} into tunnels, one per protocol in the order asked
 * ("http+https" or "https+http"), all sharing one host. All or nothing: if one protocol
 * fails, the ones already opened for that request are closed again.
 */
@ApplicationScoped
public class TunnelOpener {

    private final TunnelRegistry registry;
    private final UrlAssigner urls;
    private final UrlAffinity affinity;
    private final TcpPorts tcpPorts;
    private final Set<Protocol> enabled = new LinkedHashSet<>();

    public TunnelOpener(TunnelRegistry registry, UrlAssigner urls, UrlAffinity affinity, TcpPorts tcpPorts,
            TunneldConfig config) {
        this.registry = registry;
        this.urls = urls;
        this.affinity = affinity;
        this.tcpPorts = tcpPorts;
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

    /** Opens the tunnels; the future fails with a {@link TunnelException} the client may see. */
    public Future<List<Tunnel>> open(Control control, ReqTunnel request, List<Protocol> protocols) {
        List<Tunnel> opened = new ArrayList<>();
        Future<Void> chain = Future.succeededFuture();
        String[] host = new String[1];
        for (Protocol protocol : protocols) {
            chain = chain.compose(v -> {
                if (protocol == Protocol.TCP) {
                    return tcpPorts.open(control, request.remotePort(), affinity.ports(control.id()))
                            .map(tunnel -> {
                                opened.add(tunnel);
                                return null;
                            });
                }
                if (host[0] == null) {
                    host[0] = chooseHost(control, request, protocols);
                }
                Tunnel tunnel = Tunnel.http(protocol, urls.url(protocol, host[0]), host[0], request.httpAuth(), control);
                if (!registry.register(tunnel)) {
                    return Future.failedFuture(TunnelException.alreadyRegistered(tunnel.url()));
                }
                opened.add(tunnel);
                return Future.succeededFuture();
            });
        }
        return chain.map(v -> {
            remember(control, request, opened);
            return List.copyOf(opened);
        }).recover(e -> {
            opened.forEach(this::close);
            return Future.failedFuture(e);
        });
    }

    /** Frees the tunnel's URL or port. */
    public void close(Tunnel tunnel) {
        registry.unregister(tunnel);
        if (tunnel.protocol() == Protocol.TCP) {
            tcpPorts.release(tunnel.port());
        }
    }

    /** The requested host, or a random one, preferring one this session id held before. */
    private String chooseHost(Control control, ReqTunnel request, List<Protocol> protocols) {
        String requested = urls.requestedHost(request);
        if (requested != null) {
            return requested;
        }
        List<String> previous = affinity.hosts(control.id());
        for (int i = previous.size() - 1; i >= 0; i--) {
            if (isFree(previous.get(i), protocols)) {
                return previous.get(i);
            }
        }
        String host;
        do {
            host = urls.randomHost();
        } while (!isFree(host, protocols));
        return host;
    }

    private boolean isFree(String host, List<Protocol> protocols) {
        return protocols.stream().filter(p -> p != Protocol.TCP)
                .noneMatch(p -> registry.isTaken(Tunnel.httpRouteKey(p, host)));
    }

    private void remember(Control control, ReqTunnel request, List<Tunnel> opened) {
        boolean random = request.hostname().isEmpty() && request.subdomain().isEmpty();
        for (Tunnel tunnel : opened) {
            if (tunnel.protocol() == Protocol.TCP) {
                affinity.rememberPort(control.id(), tunnel.port());
            } else if (random) {
                affinity.rememberHost(control.id(), tunnel.host());
            }
        }
    }
}

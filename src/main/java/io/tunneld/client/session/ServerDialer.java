package io.tunneld.client.session;

import java.net.URI;

import io.tunneld.client.config.Addresses;
import io.tunneld.client.config.ClientConfig;
import io.tunneld.client.config.ConfigException;
import io.tunneld.client.config.ConfigFile;
import io.tunneld.client.tls.ServerSessions;
import io.tunneld.client.tls.ServerTrust;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;

/**
 * Opens TLS connections to the server's tunnel port, control and proxy alike, directly or
 * through an HTTP CONNECT proxy (http_proxy; {@link HttpsProxy} for one reached over TLS).
 * One TLS context for all of them, so that they share the sessions to resume: a proxy
 * connection to a server that offers tickets (tunneld, ngrokd) resumes the control
 * connection's session instead of making a full handshake.
 */
final class ServerDialer {

    /** Direct, or through an http proxy; null with an https proxy. */
    private final NetClient client;
    /** Null unless http_proxy is an https:// URL. */
    private final HttpsProxy httpsProxy;
    private final String serverAddr;
    private final String host;
    private final int port;
    private final String sniName;
    private final String proxyShown;

    ServerDialer(Vertx vertx, ClientConfig config) throws ConfigException {
        this.serverAddr = config.serverAddr();
        this.host = Addresses.host(serverAddr);
        this.port = Addresses.port(serverAddr);
        this.sniName = sniName(host);
        this.proxyShown = config.httpProxy().isEmpty() ? "" : ConfigFile.redactUser(config.httpProxy());
        if (config.httpProxy().startsWith("https:")) {
            this.client = null;
            this.httpsProxy = new HttpsProxy(vertx, URI.create(config.httpProxy()), ServerTrust.nettyContext(config),
                    host, port);
            return;
        }
        NetClientOptions options = new NetClientOptions().setConnectTimeout(10_000).setTcpNoDelay(true);
        ServerTrust.apply(options, config);
        // Every public connection costs a proxy connection, and so a TLS handshake: BoringSSL
        // (shipped for the server) does one for a fraction of the JDK's CPU, a resumed one for less.
        if (OpenSSLEngineOptions.isAvailable()) {
            options.setSslEngineOptions(ServerSessions.engineOptions());
        }
        if (!config.httpProxy().isEmpty()) {
            options.setProxyOptions(proxy(config.httpProxy()));
        }
        this.client = vertx.createNetClient(options);
        this.httpsProxy = null;
    }

    /** {@code host} as SNI sends it: host names only, never an IP literal (null then). */
    static String sniName(String host) {
        return host.matches("[0-9.]+") || host.contains(":") ? null : host;
    }

    private static ProxyOptions proxy(String url) {
        URI uri = URI.create(url);
        ProxyOptions p = new ProxyOptions().setType(ProxyType.HTTP).setHost(uri.getHost())
                .setPort(uri.getPort() < 0 ? 80 : uri.getPort());
        String user = uri.getUserInfo();
        if (user != null) {
            int colon = user.indexOf(':');
            p.setUsername(colon < 0 ? user : user.substring(0, colon));
            p.setPassword(colon < 0 ? "" : user.substring(colon + 1));
        }
        return p;
    }

    /**
     * A new TLS connection to the server, handshake done. Vert.x creates its engine with the
     * host and port dialled, which is what the session cache is keyed by, and SNI set.
     */
    Future<NetSocket> dial() {
        return httpsProxy != null ? httpsProxy.dial() : client.connect(port, host, sniName);
    }

    /** The one line saying why a dial failed. */
    String describe(Throwable failure) {
        return Failures.describe(failure, serverAddr, proxyShown);
    }

    String serverAddr() {
        return serverAddr;
    }
}

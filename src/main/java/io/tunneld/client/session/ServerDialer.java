package io.tunneld.client.session;

import java.net.URI;

import io.tunneld.client.config.Addresses;
import io.tunneld.client.config.ClientConfig;
import io.tunneld.client.config.ConfigException;
import io.tunneld.client.config.ConfigFile;
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
 * through an HTTP CONNECT proxy (http_proxy). One NetClient for all of them, so its TLS
 * context is shared and the JDK's session cache can resume sessions with servers that offer
 * it.
 */
final class ServerDialer {

    private final NetClient client;
    private final String serverAddr;
    private final String host;
    private final int port;
    private final String sniName;
    private final String proxyShown;

    ServerDialer(Vertx vertx, ClientConfig config) throws ConfigException {
        this.serverAddr = config.serverAddr();
        this.host = Addresses.host(serverAddr);
        this.port = Addresses.port(serverAddr);
        // SNI carries host names only, never an IP literal.
        this.sniName = host.matches("[0-9.]+") || host.contains(":") ? null : host;
        NetClientOptions options = new NetClientOptions().setConnectTimeout(10_000).setTcpNoDelay(true);
        ServerTrust.apply(options, config);
        // Every public connection costs a proxy connection, and so a TLS handshake: BoringSSL
        // (shipped for the server) does one for a fraction of the JDK's CPU.
        if (OpenSSLEngineOptions.isAvailable()) {
            options.setSslEngineOptions(new OpenSSLEngineOptions());
        }
        if (!config.httpProxy().isEmpty()) {
            options.setProxyOptions(proxy(config.httpProxy()));
        }
        this.proxyShown = config.httpProxy().isEmpty() ? "" : ConfigFile.redactUser(config.httpProxy());
        this.client = vertx.createNetClient(options);
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

    /** A new TLS connection to the server, handshake done. */
    Future<NetSocket> dial() {
        return client.connect(port, host, sniName);
    }

    /** The one line saying why a dial failed. */
    String describe(Throwable failure) {
        return Failures.describe(failure, serverAddr, proxyShown);
    }

    String serverAddr() {
        return serverAddr;
    }
}

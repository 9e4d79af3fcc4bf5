package io.tunneld.client.session;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.proxy.ProxyConnectException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.tunneld.protocol.PeerText;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * Reaches the server through an https proxy ({@code http_proxy: https://...}), as 1.7 does:
 * TLS to the proxy (its certificate checked against the system's trust store, and its host
 * name), {@code CONNECT host:port}, then the server's own TLS inside that connection. Vert.x
 * speaks plain HTTP to proxies only, and its {@code upgradeToSsl} cannot nest a second TLS
 * layer, so the server's layer is a Netty {@code SslHandler} placed after the proxy's.
 */
final class HttpsProxy {

    /** A proxy's answer to CONNECT is a status line and a few headers. */
    private static final int MAX_ANSWER = 16 * 1024;

    private final NetClient toProxy;
    private final SslContext serverTls;
    private final String proxyHost;
    private final int proxyPort;
    private final String authorization;
    private final String target;
    private final String serverName;
    private final int serverPort;

    /**
     * @param serverName the name the server's certificate must carry, also sent as SNI
     */
    HttpsProxy(Vertx vertx, URI proxy, SslContext serverTls, String serverName, int serverPort) {
        String host = proxy.getHost();
        this.proxyHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        this.proxyPort = proxy.getPort() < 0 ? 443 : proxy.getPort();
        String user = proxy.getUserInfo();
        this.authorization = user == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8));
        this.serverTls = serverTls;
        this.serverName = serverName;
        this.serverPort = serverPort;
        this.target = (serverName.contains(":") ? "[" + serverName + "]" : serverName) + ":" + serverPort;
        // The JDK's trust store, as 1.7 uses the system's roots for its proxy.
        this.toProxy = vertx.createNetClient(new NetClientOptions().setConnectTimeout(10_000).setTcpNoDelay(true)
                .setSsl(true).setHostnameVerificationAlgorithm("HTTPS"));
    }

    /** A connection to the server through the proxy, the server's TLS handshake done. */
    Future<NetSocket> dial() {
        Promise<NetSocket> done = Promise.promise();
        toProxy.connect(proxyPort, proxyHost, ServerDialer.sniName(proxyHost)).onComplete(connected -> {
            if (connected.failed()) {
                Throwable cause = connected.cause();
                done.fail(Failures.isTls(cause) ? new ProxyConnectException("TLS to the proxy failed", cause) : cause);
            } else {
                connect(connected.result(), done);
            }
        });
        return done.future();
    }

    private void connect(NetSocket socket, Promise<NetSocket> done) {
        Buffer answer = Buffer.buffer();
        socket.exceptionHandler(e -> {
            socket.close();
            done.tryFail(new ProxyConnectException("the proxy connection failed", e));
        });
        socket.closeHandler(v -> done.tryFail(new ProxyConnectException("the proxy closed the connection")));
        socket.handler(bytes -> {
            answer.appendBuffer(bytes);
            String text = answer.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                if (answer.length() > MAX_ANSWER) {
                    socket.close();
                    done.tryFail(new ProxyConnectException("the proxy's answer to CONNECT has no end"));
                }
                return;
            }
            socket.handler(null);
            String status = text.substring(0, text.indexOf("\r\n"));
            if (!status.matches("HTTP/1\\.[01] 200(\\s.*)?")) {
                socket.close();
                done.tryFail(new ProxyConnectException("the proxy answered " + PeerText.printable(status)));
            } else if (end + 4 < answer.length()) {
                // The server speaks only after the client's hello: nothing may follow the answer yet.
                socket.close();
                done.tryFail(new ProxyConnectException("the proxy sent bytes after its answer to CONNECT"));
            } else {
                startServerTls(socket, done);
            }
        });
        socket.write(Buffer.buffer("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
                + (authorization == null ? "" : "Proxy-Authorization: " + authorization + "\r\n")
                + "User-Agent: Mozilla/5.0 (compatible; ngrok)\r\n\r\n", StandardCharsets.ISO_8859_1.name()));
    }

    /** The server's TLS goes after the proxy's: written inside it, read from what it decrypts. */
    private void startServerTls(NetSocket socket, Promise<NetSocket> done) {
        ChannelHandlerContext vertx = ((NetSocketInternal) socket).channelHandlerContext();
        ChannelPipeline pipeline = vertx.pipeline();
        SslHandler proxyTls = pipeline.get(SslHandler.class);
        SslHandler tls = serverTls.newHandler(vertx.alloc(), serverName, serverPort);
        tls.handshakeFuture().addListener(handshake -> {
            if (handshake.isSuccess()) {
                socket.exceptionHandler(null);
                socket.closeHandler(null);
                done.tryComplete(socket);
            } else {
                socket.close();
                done.tryFail(handshake.cause());
            }
        });
        pipeline.addAfter(pipeline.context(proxyTls).name(), "tunneld-server-tls", tls);
    }
}

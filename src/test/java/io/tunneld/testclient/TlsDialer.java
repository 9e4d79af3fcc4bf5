package io.tunneld.testclient;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Opens TLS connections to the tunnel port the way the Go client does (TCP_NODELAY on, handshake
 * done before the first frame), with a fixed SNI host and a timeout for connect, handshake and reads.
 * By default it trusts any certificate, since the server under test uses a self-signed one.
 */
public final class TlsDialer {

    /** Default connect, handshake and read timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final SSLContext context;
    private final String sniHost;
    private final Duration timeout;
    /** Local address to dial from; null lets the system choose. */
    private final InetAddress localAddress;

    /** A dialer with the given context, SNI host name and timeout. */
    public TlsDialer(SSLContext context, String sniHost, Duration timeout) {
        this(context, sniHost, timeout, null);
    }

    private TlsDialer(SSLContext context, String sniHost, Duration timeout, InetAddress localAddress) {
        this.context = context;
        this.sniHost = sniHost;
        this.timeout = timeout;
        this.localAddress = localAddress;
    }

    /** Trust-all dialer with SNI "localhost" and the default timeout. */
    public static TlsDialer trustAll() {
        return new TlsDialer(trustAllContext(), "localhost", DEFAULT_TIMEOUT);
    }

    /** Same dialer with another timeout. */
    public TlsDialer withTimeout(Duration newTimeout) {
        return new TlsDialer(context, sniHost, newTimeout, localAddress);
    }

    /** Same dialer with another SNI host name. */
    public TlsDialer withSni(String newSniHost) {
        return new TlsDialer(context, newSniHost, timeout, localAddress);
    }

    /**
     * Same dialer connecting from {@code address}: another source address for the server, for
     * example 127.0.0.2 (Linux routes all of 127/8 to loopback).
     */
    public TlsDialer from(String address) {
        try {
            return new TlsDialer(context, sniHost, timeout, InetAddress.getByName(address));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }

    /** The timeout used for connect, handshake and as SO_TIMEOUT. */
    public Duration timeout() {
        return timeout;
    }

    /** Connects and completes the handshake; SO_TIMEOUT is left at {@link #timeout()}. */
    public SSLSocket dial(String host, int port) throws IOException {
        return dial(host, port, socket -> {
        });
    }

    /**
     * As {@link #dial(String, int)}, handing the socket to {@code onCreate} before connecting, so that
     * an owner can close it (and so abort the connect) from another thread.
     */
    public SSLSocket dial(String host, int port, Consumer<? super SSLSocket> onCreate) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
        try {
            onCreate.accept(socket);
            if (localAddress != null) {
                socket.bind(new InetSocketAddress(localAddress, 0));
            }
            int millis = (int) timeout.toMillis();
            socket.connect(new InetSocketAddress(host, port), millis);
            socket.setSoTimeout(millis);
            socket.setTcpNoDelay(true);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(sniHost)));
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** An SSLContext that accepts any server certificate and host name. */
    public static SSLContext trustAllContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustAllManager()}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JDK", e);
        }
    }

    /** A trust manager that accepts any certificate, either side. */
    public static X509ExtendedTrustManager trustAllManager() {
        return new TrustAll();
    }

    /** Extended variant so the JDK adds no endpoint or algorithm checks of its own. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

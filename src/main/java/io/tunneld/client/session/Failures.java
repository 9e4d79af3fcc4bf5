package io.tunneld.client.session;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.nio.channels.ClosedChannelException;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.proxy.ProxyConnectException;
import io.tunneld.client.log.ErrorText;

/** One line for each way a connection to the server can fail, saying what to do where it can. */
final class Failures {

    private Failures() {
    }

    /** True when retrying cannot help: the server's certificate is not one the client accepts. */
    static boolean untrustedCertificate(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof CertificateException || c instanceof CertPathBuilderException
                    || c instanceof CertPathValidatorException) {
                return true;
            }
        }
        return false;
    }

    /** True when TLS failed, rather than the connection under it. */
    static boolean isTls(Throwable t) {
        return find(t, SSLException.class) != null;
    }

    static String describe(Throwable t, String serverAddr, String proxy) {
        boolean viaProxy = find(t, ProxyConnectException.class) != null;
        if (viaProxy && untrustedCertificate(t)) {
            return "The certificate of proxy " + proxy + " is not trusted (" + rootMessage(t) + "). The client checks"
                    + " it against the system's trust store, as 1.x does";
        }
        if (untrustedCertificate(t)) {
            return "The certificate of server " + serverAddr + " is not trusted (" + rootMessage(t)
                    + "). Name the CA that signed it with -tls-ca-file=FILE.pem, or, for development only,"
                    + " turn verification off with -tls-skip-verify";
        }
        Throwable root = root(t);
        if (viaProxy) {
            return "Proxy " + proxy + " did not connect to server " + serverAddr + ": " + rootMessage(t);
        }
        if (root instanceof UnknownHostException) {
            return "Server " + serverAddr + " unreachable: unknown host " + root.getMessage();
        }
        if (root instanceof ConnectException || root instanceof NoRouteToHostException
                || root instanceof ConnectTimeoutException) {
            return "Server " + serverAddr + " unreachable" + (proxy.isEmpty() ? "" : " (through proxy " + proxy + ")")
                    + ": " + rootMessage(t);
        }
        if (find(t, SSLHandshakeException.class) != null) {
            return "TLS handshake with server " + serverAddr + " failed: " + rootMessage(t);
        }
        if (root instanceof ClosedChannelException) {
            return "server " + serverAddr + " closed the connection";
        }
        return "connection to server " + serverAddr + " failed: " + rootMessage(t);
    }

    private static Throwable root(Throwable t) {
        return ErrorText.root(t);
    }

    private static String rootMessage(Throwable t) {
        return ErrorText.of(t);
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}

package io.tunneld.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.vertx.core.net.KeyCertOptions;

/**
 * The server key manager of TLS listeners: it serves one certificate chain and key, and can be
 * switched to new ones while the listeners run. Every handshake asks it for an alias, so
 * handshakes after a switch get the new pair; connections already made keep theirs. (Vert.x's
 * {@code NetServer.updateSSLOptions} would rebuild the whole SSL context instead, and Vert.x 4.5
 * drops the connections accepted while it does.)
 */
final class SwappableKeyManager extends X509ExtendedKeyManager {

    private volatile Credentials current;
    /** The pair before the last switch, for a handshake that chose its alias just before it. */
    private volatile Credentials previous;

    SwappableKeyManager(Credentials initial) {
        this.current = initial;
        this.previous = initial;
    }

    Credentials current() {
        return current;
    }

    synchronized void use(Credentials next) {
        previous = current;
        current = next;
    }

    /**
     * As Vert.x key material. BoringSSL gets each pair once, not in every handshake: Netty's
     * caching factory keeps its native form per alias, which is why an alias is a certificate's
     * fingerprint (one alias, one pair, as that cache requires). It stops caching new aliases
     * after 1024, far more switches than certificate renewals. The JDK engine takes the keys as
     * they are.
     */
    KeyCertOptions keyCertOptions(boolean boringSsl) {
        if (!boringSsl) {
            return KeyCertOptions.wrap(this);
        }
        try {
            KeyManagerFactory factory = KeyCertOptions.wrap(this).getKeyManagerFactory(null);
            return KeyCertOptions.wrap(new OpenSslCachingX509KeyManagerFactory(factory));
        } catch (Exception e) {
            throw new IllegalStateException("cannot wrap the key manager", e);
        }
    }

    // One pair, so its alias whatever key type is asked for: the TLS engine checks the key suits.
    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return current.alias();
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return current.alias();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return new String[] {current.alias()};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Credentials c = byAlias(alias);
        return c == null ? null : c.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Credentials c = byAlias(alias);
        return c == null ? null : c.key();
    }

    private Credentials byAlias(String alias) {
        Credentials now = current;
        Credentials before = previous;
        return now.alias().equals(alias) ? now : before.alias().equals(alias) ? before : null;
    }

    /** A server's key manager chooses no client certificates. */
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return null;
    }
}

package io.tunneld.cluster;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.LongAdder;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly the certificates of replicas of this cluster ({@link ReplicaCertificate}),
 * both ways: a dialing replica judges the one it reached, an accepting one the one that dialed.
 * Counts the dialers it judged: full handshakes, where a resumed one shows no certificate.
 */
final class ReplicaTrust extends X509ExtendedTrustManager {

    private final ClusterSecret secret;
    private final LongAdder dialersChecked = new LongAdder();

    ReplicaTrust(ClusterSecret secret) {
        this.secret = secret;
    }

    /** Certificates of dialing replicas judged so far: the forward port's full handshakes. */
    long dialersChecked() {
        return dialersChecked.sum();
    }

    private void checkDialer(X509Certificate[] chain) throws CertificateException {
        dialersChecked.increment();
        check(chain);
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0 || !ReplicaCertificate.endorsed(chain[0], secret)) {
            throw new CertificateException("not a replica of this cluster: its certificate is not signed over"
                    + " by tunneld.cluster.secret");
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkDialer(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkDialer(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkDialer(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    /** No CA names: a dialing replica shows its one certificate whatever is asked. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}

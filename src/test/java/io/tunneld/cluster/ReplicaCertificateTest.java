package io.tunneld.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.tunneld.tls.SelfSignedCertificate;

class ReplicaCertificateTest {

    private final ClusterSecret secret = new ClusterSecret("replica-certificate-secret-1");

    @Test
    void aReplicasCertificateIsEndorsedUnderItsSecretOnly() throws Exception {
        X509Certificate own = ReplicaCertificate.issue(secret).certificate();
        assertTrue(ReplicaCertificate.endorsed(own, secret));
        assertFalse(ReplicaCertificate.endorsed(own, new ClusterSecret("replica-certificate-secret-2")));
        new ReplicaTrust(secret).checkServerTrusted(new X509Certificate[] {own}, "EC");
    }

    @Test
    void aReplicasNameCopiedOntoAnotherKeyIsNotEndorsed() throws Exception {
        X509Certificate own = ReplicaCertificate.issue(secret).certificate();
        String name = (String) own.getSubjectAlternativeNames().iterator().next().get(1);
        X509Certificate copy = SelfSignedCertificate.forKeys(SelfSignedCertificate.newKeys(), List.of(name),
                Duration.ofDays(1)).certificate();
        assertFalse(ReplicaCertificate.endorsed(copy, secret));
        CertificateException refused = assertThrows(CertificateException.class,
                () -> new ReplicaTrust(secret).checkClientTrusted(new X509Certificate[] {copy}, "EC"));
        assertTrue(refused.getMessage().contains("tunneld.cluster.secret"), refused.getMessage());
    }

    @Test
    void aCertificateWithoutTheNameOrWithNoneIsNotEndorsed() {
        X509Certificate other = SelfSignedCertificate.create(List.of("tunnels.example.com"), Duration.ofDays(1))
                .certificate();
        assertFalse(ReplicaCertificate.endorsed(other, secret));
        assertThrows(CertificateException.class,
                () -> new ReplicaTrust(secret).checkServerTrusted(new X509Certificate[0], "EC"));
    }
}

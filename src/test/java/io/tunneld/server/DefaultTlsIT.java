package io.tunneld.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tunneld.testsupport.PackagedServer;

/**
 * TLS as it is out of the box: the default engine (BoringSSL on the JVM, the JDK's in a native
 * executable) and a self-signed certificate made at start.
 */
@QuarkusIntegrationTest
@TestProfile(DefaultTlsIT.Defaults.class)
class DefaultTlsIT extends NgrokSessionOverTls {

    /** No TLS settings at all. */
    public static class Defaults implements QuarkusTestProfile {

        static final PackagedServer SERVER = PackagedServer.onFreePorts();

        @Override
        public Map<String, String> getConfigOverrides() {
            return SERVER.config();
        }
    }

    @Override
    PackagedServer server() {
        return Defaults.SERVER;
    }

    @Override
    String expectedEngine() {
        return defaultEngine();
    }

    @Override
    void assertServed(X509Certificate certificate) throws Exception {
        assertEquals("CN=localhost,O=tunneld self-signed", certificate.getSubjectX500Principal().getName(),
                "the self-signed certificate");
        List<String> names = certificate.getSubjectAlternativeNames().stream().map(n -> (String) n.get(1)).toList();
        assertTrue(names.contains("*.localhost"), names.toString());
        certificate.verify(certificate.getPublicKey());
    }
}

package io.tunneld.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Files;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tunneld.testsupport.PackagedServer;
import io.tunneld.testsupport.PemFiles;

/** The JDK's TLS engine chosen by setting ({@code tunneld.tls.engine=jdk}), serving PEM files. */
@QuarkusIntegrationTest
@TestProfile(JdkTlsEngineIT.JdkEngine.class)
class JdkTlsEngineIT extends NgrokSessionOverTls {

    /** The JDK engine, and a certificate and key from files for both TLS listeners. */
    public static class JdkEngine implements QuarkusTestProfile {

        static final PackagedServer SERVER = PackagedServer.onFreePorts();
        static final PemFiles FILES = PemFiles.selfSigned("localhost", "*.localhost");

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(SERVER.config());
            config.putAll(Map.of("tunneld.tls.engine", "jdk",
                    "tunneld.tunnel.tls.cert-file", FILES.cert().toString(),
                    "tunneld.tunnel.tls.key-file", FILES.key().toString()));
            return config;
        }
    }

    @Override
    PackagedServer server() {
        return JdkEngine.SERVER;
    }

    @Override
    String expectedEngine() {
        return "JDK (tunneld.tls.engine=jdk)";
    }

    @Override
    void assertServed(X509Certificate certificate) throws Exception {
        try (InputStream in = Files.newInputStream(JdkEngine.FILES.cert())) {
            assertEquals(CertificateFactory.getInstance("X.509").generateCertificate(in), certificate,
                    "the certificate of the files");
        }
    }
}

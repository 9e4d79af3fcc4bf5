package io.tunneld.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.tunneld.testsupport.PemFiles;
import io.tunneld.testsupport.PublicClient;
import io.tunneld.testsupport.TunneldProcess;

/**
 * The packaged client reaching the server through an https proxy, as 1.7 can ({@code http_proxy:
 * https://...}): TLS to the proxy, checked against the JVM's trust store (here one naming the
 * proxy's certificate, through {@code javax.net.ssl.trustStore}), CONNECT with the URL's
 * credentials, then the server's TLS inside it (its certificate checked against
 * {@code -tls-ca-file}, its name too), for the control connection and every proxy connection.
 */
class HttpsProxyIT {

    private static final String HOST = "127.0.0.13";
    private static final String TOKEN = "https-proxy-token-1";

    @Test
    void controlAndProxyConnectionsGoThroughTheHttpsProxy() throws Exception {
        int tunnel = freePort();
        int http = freePort();
        PemFiles proxyTls = PemFiles.selfSigned("localhost");
        PemFiles serverTls = PemFiles.selfSigned("localhost", "*.localhost");
        // The tunnel port where "localhost" leads, so that the client checks the server's name.
        Map<String, String> env = Map.of("TUNNELD_TUNNEL_HOST", "127.0.0.1", "TUNNELD_TUNNEL_PORT", String.valueOf(tunnel),
                "TUNNELD_TUNNEL_TLS_CERT_FILE", serverTls.cert().toString(),
                "TUNNELD_TUNNEL_TLS_KEY_FILE", serverTls.key().toString(),
                "TUNNELD_HTTP_HOST", HOST, "TUNNELD_HTTP_PORT", String.valueOf(http), "TUNNELD_HTTPS_ENABLED", "false",
                "TUNNELD_TCP_ENABLED", "false", "TUNNELD_AUTH_TOKENS", TOKEN);
        try (TunneldProcess server = TunneldProcess.start("https-proxy-server", HOST, freePort(), env);
                LocalHttpService web = new LocalHttpService();
                ConnectProxy proxy = new ConnectProxy(proxyTls)) {
            Path config = config("localhost:" + tunnel, "https://pu:pp@localhost:" + proxy.port());
            // Two trusts: the proxy's certificate through the JVM's store, the server's through -tls-ca-file.
            Process p = ClientJarIT.client(trusting(proxyTls), List.of("-config=" + config, "-log=stdout",
                    "-log-level=INFO", "-tls-ca-file=" + serverTls.cert(), "-proto=http", "-subdomain=viaproxy",
                    String.valueOf(web.port())));
            try {
                String seen = ClientJarIT.untilEstablished(p);
                assertTrue(seen.endsWith("Tunnel established at http://viaproxy.localhost:" + http), seen);
                Socket visitor = new Socket(HOST, http);
                visitor.setSoTimeout(15_000);
                String answer = PublicClient.exchange(visitor,
                        "GET /through-the-proxy HTTP/1.1\r\nHost: viaproxy.localhost\r\nConnection: close\r\n\r\n");
                assertTrue(answer.endsWith("local GET /through-the-proxy 0"), answer);
                // The control connection, then at least the proxy connection that carried the request.
                assertTrue(proxy.heads.size() >= 2, proxy.heads.toString());
                String credentials = Base64.getEncoder().encodeToString("pu:pp".getBytes(StandardCharsets.UTF_8));
                for (String head : proxy.heads) {
                    assertTrue(head.startsWith("CONNECT localhost:" + tunnel + " HTTP/1.1\r\n"), head);
                    assertTrue(head.contains("\r\nProxy-Authorization: Basic " + credentials), head);
                }
            } finally {
                p.destroy();
                assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the client stops on SIGTERM");
            }
        }
    }

    @Test
    void aProxyCertificateTheSystemDoesNotTrustStopsTheClientWithOneLine() throws Exception {
        try (ConnectProxy proxy = new ConnectProxy(PemFiles.selfSigned("localhost"))) {
            Path config = config(HOST + ":" + freePort(), "https://localhost:" + proxy.port());
            Process p = ClientJarIT.client(List.of(), List.of("-config=" + config, "-log=stdout", "-tls-skip-verify",
                    "-proto=http", "-subdomain=viaproxy", "8080"));
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the client stops: retrying cannot help");
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(1, p.exitValue(), output);
            assertTrue(output.contains("The certificate of proxy https://localhost:" + proxy.port() + " is not trusted ("),
                    output);
            assertTrue(proxy.heads.isEmpty(), "nothing sent to a proxy that is not trusted");
        }
    }

    private static Path config(String serverAddr, String proxyUrl) throws IOException {
        Path config = Files.createTempFile("ngrok", ".yml");
        config.toFile().deleteOnExit();
        Files.writeString(config, "server_addr: " + serverAddr + "\nauth_token: " + TOKEN
                + "\ninspect_addr: disabled\nhttp_proxy: " + proxyUrl + "\n");
        return config;
    }

    /** JVM options making {@code pem}'s certificate the only one the JVM's default trust store holds. */
    private static List<String> trusting(PemFiles pem) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream in = Files.newInputStream(pem.cert())) {
            store.setCertificateEntry("proxy", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        Path file = Files.createTempFile("truststore", ".p12");
        file.toFile().deleteOnExit();
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, "store-password".toCharArray());
        }
        return List.of("-Djavax.net.ssl.trustStore=" + file, "-Djavax.net.ssl.trustStorePassword=store-password",
                "-Djavax.net.ssl.trustStoreType=PKCS12");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

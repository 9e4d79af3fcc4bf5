package io.tunneld.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Socket;
import java.util.Map;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.tunneld.testclient.Frame;
import io.tunneld.testclient.NgrokTestClient;
import io.tunneld.testclient.TlsDialer;
import io.tunneld.testclient.WireFrames;
import io.tunneld.testsupport.PublicClient;
import io.tunneld.testsupport.TunneldTest;

/**
 * By default a proxy connection may come from another address than its control connection
 * (clients behind carrier NAT); LimitsTest covers {@code tunneld.security.proxy-same-address}.
 */
@QuarkusTest
class ProxyAddressTest extends TunneldTest {

    @Test
    void byDefaultAProxyMayComeFromAnotherAddressThanItsControl() throws Exception {
        try (NgrokTestClient c = authed("tunneld-test-token-1");
                SSLSocket elsewhere = TlsDialer.trustAll().from("127.0.0.2").dial("127.0.0.1", ports.tunnel());
                Socket visitor = PublicClient.plain(ports.http())) {
            c.reqTunnel("http", "", "elsewhere", "", 0);
            SessionTest.send(elsewhere, "RegProxy", Map.of("ClientId", c.clientId()));
            String host = "elsewhere.localhost:" + ports.http();
            visitor.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes());
            Frame start = WireFrames.read(elsewhere.getInputStream());
            assertEquals("StartProxy", start.type(), "the public connection was given that proxy");
        }
    }
}

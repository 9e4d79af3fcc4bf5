package io.tunneld.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;


import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tunneld.testclient.Frame;
import io.tunneld.testclient.NgrokTestClient;
import io.tunneld.testsupport.EchoServer;
import io.tunneld.testsupport.PublicClient;
import io.tunneld.testsupport.TunneldTest;

/** URLs and routing with the settings of {@link PublicUrlsProfile}. */
@QuarkusTest
@TestProfile(PublicUrlsProfile.class)
class PublicUrlsTest extends TunneldTest {

    @Test
    void theStockDefaultHttpPlusHttpsGetsHttpOnlyWhenHttpsIsOff() throws Exception {
        try (NgrokTestClient c = authed("tunneld-test-token-1")) {
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("ReqId", "shop1");
            request.put("Protocol", "http+https");
            request.put("Subdomain", "shop");
            c.send("ReqTunnel", request);
            Frame http = c.awaitFrame("NewTunnel", WAIT);
            assertEquals("http://shop.tunnels.test", http.str("Url"), "public port 80 is not shown");
            assertEquals("shop1", http.str("ReqId"));
            // Frames are answered in order: nothing more for the request came before this Pong.
            c.ping();
            assertNotNull(c.awaitFrame("Pong", WAIT));
            assertNull(c.awaitFrame("NewTunnel", Duration.ZERO), "no https tunnel, and no error either");
            assertEquals("Protocol https is not enabled on this server",
                    c.reqTunnel("https", "", "alone", "", 0).get(0).str("Error"));
        }
    }

    @Test
    void hostnamesOnlyUnderTheAllowedDomains() throws Exception {
        try (NgrokTestClient c = authed("tunneld-test-token-1")) {
            assertEquals("http://app.other.test", c.reqTunnel("http", "App.Other.Test", "", "", 0).get(0).str("Url"));
            for (String refused : new String[] { "x.tunnels.test", "example.test", "x.localhost" }) {
                assertTrue(c.reqTunnel("http", refused, "", "", 0).get(0).str("Error").contains("not allowed"), refused);
            }
        }
    }

    @Test
    void requestsWithoutAPortReachTheTunnelBehindALoadBalancer() throws Exception {
        try (EchoServer echo = new EchoServer(); NgrokTestClient c = authed("tunneld-test-token-1")) {
            forwardHttp(c, "lb", "", echo.port());
            String request = "GET / HTTP/1.1\r\nHost: lb.tunnels.test\r\n\r\n";
            assertEquals(request, PublicClient.echo(ports.http(), request));
        }
    }
}

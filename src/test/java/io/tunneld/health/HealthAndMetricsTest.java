package io.tunneld.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static io.tunneld.testsupport.Metrics.value;
import static io.tunneld.testsupport.Metrics.valueOrZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;



import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.tunneld.testclient.NgrokTestClient;
import io.tunneld.testclient.WireFrames;
import io.tunneld.testsupport.EchoServer;
import io.tunneld.testsupport.PublicClient;
import io.tunneld.testsupport.TunneldTest;

/** What an operator sees at /q/health and /q/metrics. */
@QuarkusTest
class HealthAndMetricsTest extends TunneldTest {

    @Test
    void readinessReportsEveryListenerBound() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'listeners' }.data.tunnel", startsWith("bound "))
                .body("checks.find { it.name == 'listeners' }.data.http", startsWith("bound "))
                .body("checks.find { it.name == 'listeners' }.data.https", startsWith("bound "));
    }

    @Test
    void livenessChecksTheEventLoop() {
        given().when().get("/q/health/live").then().statusCode(200)
                .body("checks.name", hasItem("event-loop"))
                .body("checks.find { it.name == 'event-loop' }.status", equalTo("UP"));
    }

    @Test
    void sessionsAndTunnelsAreReportedAndAFreshSessionIsNotOverdue() throws Exception {
        try (NgrokTestClient c = authed("test-token-1")) {
            c.reqTunnel("http", "", "health", "", 0);
            given().when().get("/q/health/well").then().statusCode(200)
                    .body("checks.find { it.name == 'sessions' }.status", equalTo("UP"))
                    .body("checks.find { it.name == 'sessions' }.data.heartbeatsOverdue", equalTo(0));
            String body = given().when().get("/q/health/well").then().extract().asString();
            assertTrue(body.matches("(?s).*\"controls\": *[1-9].*"), body);
            assertTrue(body.matches("(?s).*\"tunnelsHttp\": *[1-9].*"), body);
        }
    }

    /**
     * The one slow test (about 26 s): the overdue threshold is the client's 20 s ping interval
     * plus grace, fixed on purpose, and the default 30 s heartbeat reaps only after it.
     */
    @Test
    void aSessionSilentForTwentyFiveSecondsIsOverdueUntilItPings() throws Exception {
        try (NgrokTestClient c = authed("test-token-1")) {
            int before = overdue();
            Thread.sleep(25_500);
            int silent = overdue();
            assertTrue(silent >= before + 1, "overdue after 25 s without Ping: " + before + " then " + silent);
            c.ping();
            c.awaitFrame("Pong", WAIT);
            assertEquals(silent - 1, overdue(), "a Ping makes it current again");
        }
    }

    private static int overdue() {
        return given().when().get("/q/health/well").then().statusCode(200).extract()
                .path("checks.find { it.name == 'sessions' }.data.heartbeatsOverdue");
    }

    @Test
    void metricsCountWhatHappens() throws Exception {
        double authFailures = value("tunneld_auth_failures_total");
        double rejected = valueOrZero("tunneld_frames_rejected_total{reason=\"unexpected\"}");
        double httpConnections = value("tunneld_public_connections_total{protocol=\"http\"}");
        double bytesIn = value("tunneld_bytes_in_bytes_total");
        double bytesOut = value("tunneld_bytes_out_bytes_total");
        double waits = value("tunneld_proxy_wait_seconds_count{outcome=\"found\"}");

        try (NgrokTestClient bad = connect()) {
            bad.auth("wrong", "");
        }
        try (var s = NgrokTestClient.openTls("127.0.0.1", ports.tunnel())) {
            s.getOutputStream().write(WireFrames.encode("Ping", java.util.Map.of()));
            s.setSoTimeout(5000);
            s.getInputStream().read();
        }
        try (EchoServer echo = new EchoServer(); NgrokTestClient c = authed("test-token-1")) {
            forwardHttp(c, "metered", "", echo.port());
            String request = "GET / HTTP/1.1\r\nHost: metered.localhost:" + ports.http() + "\r\n\r\n";
            assertEquals(request, PublicClient.echo(ports.http(), request));
            assertTrue(value("tunneld_tunnels{protocol=\"http\"}") >= 1, "tunnel gauge");
            assertTrue(value("tunneld_controls") >= 1, "control gauge");
            assertTrue(value("tunneld_bytes_in_bytes_total") >= bytesIn + request.length(), "bytes in");
            assertTrue(value("tunneld_bytes_out_bytes_total") >= bytesOut + request.length(), "bytes out");
        }
        assertTrue(value("tunneld_auth_failures_total") >= authFailures + 1, "auth failures");
        assertTrue(value("tunneld_frames_rejected_total{reason=\"unexpected\"}") >= rejected + 1, "rejected frames");
        assertTrue(value("tunneld_public_connections_total{protocol=\"http\"}") >= httpConnections + 1, "connections");
        assertTrue(value("tunneld_proxy_wait_seconds_count{outcome=\"found\"}") >= waits + 1, "proxy waits");
        value("tunneld_heartbeats_lost_total"); // published from the start; counted in LimitsTest
    }
}

package io.tunneld.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static io.tunneld.testsupport.Metrics.value;
import static io.tunneld.testsupport.Metrics.valueOrZero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.tunneld.testsupport.Eventually.eventually;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;
import io.tunneld.listener.ServingLoops;

import io.quarkus.test.junit.QuarkusTest;
import io.tunneld.testclient.NgrokTestClient;
import io.tunneld.testclient.WireFrames;
import io.tunneld.testsupport.EchoServer;
import io.tunneld.testsupport.PublicClient;
import io.tunneld.testsupport.TunneldTest;

/** What an operator sees at /q/health and /q/metrics. */
@QuarkusTest
class HealthAndMetricsTest extends TunneldTest {

    @Inject
    ServingLoops loops;

    @Test
    void readinessReportsEveryListenerBound() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'listeners' }.data.tunnel", startsWith("bound "))
                .body("checks.find { it.name == 'listeners' }.data.http", startsWith("bound "))
                .body("checks.find { it.name == 'listeners' }.data.https", startsWith("bound "));
    }

    @Test
    void livenessProbesEveryServingLoop() {
        Map<String, Object> data = given().when().get("/q/health/live").then().statusCode(200)
                .body("checks.name", hasItem("event-loop"))
                .body("checks.find { it.name == 'event-loop' }.status", equalTo("UP"))
                .extract().path("checks.find { it.name == 'event-loop' }.data");
        assertEquals(loops.contexts().size(), data.get("loops"), String.valueOf(data));
        assertEquals(loops.contexts().size(),
                data.values().stream().filter(v -> String.valueOf(v).startsWith("answered in ")).count(),
                "each serving loop answered: " + data);
    }

    /**
     * One serving loop stuck: liveness is DOWN and names it, answered by the health endpoint
     * on another loop, and UP again once the loop runs. The health request itself lands on
     * any of Quarkus's loops, the stuck one included, so it is asked on several connections
     * at once and the first answer counts.
     */
    @Test
    void aStuckServingLoopTurnsLivenessDownUntilItRunsAgain() throws Exception {
        given().when().get("/q/health/live").then().statusCode(200);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> stuck = new CompletableFuture<>();
        loops.contexts().get(loops.contexts().size() - 1).runOnContext(v -> {
            stuck.complete(Thread.currentThread().getName());
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ExecutorService askers = Executors.newFixedThreadPool(4);
        try {
            String thread = stuck.get(5, TimeUnit.SECONDS);
            List<CompletableFuture<String>> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(CompletableFuture.supplyAsync(HealthAndMetricsTest::liveness, askers));
            }
            String answer = (String) CompletableFuture.anyOf(answers.toArray(CompletableFuture[]::new))
                    .get(15, TimeUnit.SECONDS);
            assertTrue(answer.startsWith("HTTP/1.1 503 "), answer);
            assertTrue(answer.contains("\"error\": \"no answer within 2 s from " + thread + "\""), answer);
        } finally {
            release.countDown();
            askers.shutdown();
        }
        eventually(() -> liveness().startsWith("HTTP/1.1 200 "));
    }

    /** GET /q/health/live on a new connection, the whole answer. */
    private static String liveness() {
        try {
            return PublicClient.exchange(PublicClient.plain(RestAssured.port),
                    "GET /q/health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void sessionsAndTunnelsAreReportedAndAFreshSessionIsNotOverdue() throws Exception {
        try (NgrokTestClient c = authed("tunneld-test-token-1")) {
            assertEquals("", c.reqTunnel("http", "", "health", "", 0).get(0).str("Error"));
            given().when().get("/q/health/well").then().statusCode(200)
                    .body("checks.find { it.name == 'sessions' }.status", equalTo("UP"))
                    .body("checks.find { it.name == 'sessions' }.data.heartbeatsOverdue", equalTo(0));
            String body = given().when().get("/q/health/well").then().extract().asString();
            assertTrue(body.matches("(?s).*\"controls\": *[1-9].*"), body);
            assertTrue(body.matches("(?s).*\"tunnelsHttp\": *[1-9].*"), body);
        }
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
            assertTrue(bad.auth("wrong", "").str("Error").contains("invalid auth token"));
        }
        try (var s = NgrokTestClient.openTls("127.0.0.1", ports.tunnel())) {
            s.getOutputStream().write(WireFrames.encode("Ping", java.util.Map.of()));
            s.setSoTimeout(5000);
            assertEquals(-1, s.getInputStream().read(), "a Ping as first frame: closed");
        }
        try (EchoServer echo = new EchoServer(); NgrokTestClient c = authed("tunneld-test-token-1")) {
            forwardHttp(c, "metered", "", echo.port());
            String request = "GET / HTTP/1.1\r\nHost: metered.localhost:" + ports.http() + "\r\n\r\n";
            assertEquals(request, PublicClient.echo(ports.http(), request));
            assertTrue(value("tunneld_tunnels{protocol=\"http\"}") >= 1, "tunnel gauge");
            assertTrue(value("tunneld_controls") >= 1, "control gauge");
            assertTrue(value("tunneld_bytes_in_bytes_total") >= bytesIn + request.length(), "bytes in");
            assertTrue(value("tunneld_bytes_out_bytes_total") >= bytesOut + request.length(), "bytes out");
        }
        assertEquals(authFailures + 1, value("tunneld_auth_failures_total"), "auth failures");
        assertEquals(rejected + 1, value("tunneld_frames_rejected_total{reason=\"unexpected\"}"), "rejected frames");
        assertTrue(value("tunneld_public_connections_total{protocol=\"http\"}") >= httpConnections + 1, "connections");
        assertTrue(value("tunneld_proxy_wait_seconds_count{outcome=\"found\"}") >= waits + 1, "proxy waits");
        assertTrue(value("tunneld_heartbeats_lost_total") >= 0, "published from the start; counted in LimitsTest");
    }
}

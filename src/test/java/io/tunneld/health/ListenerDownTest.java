package io.tunneld.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tunneld.config.TunneldConfig;
import io.tunneld.testsupport.StartLog;

/**
 * With {@code tunneld.fail-fast=false}, a listener that cannot start makes the server not ready,
 * and says why, in readiness and in one log line at start; the others serve. Certificate files
 * that cannot be served are such a reason. (With fail-fast, the default, they stop the start:
 * {@code SettingsIT}.)
 */
@QuarkusTest
@TestProfile(BrokenListenersProfile.class)
class ListenerDownTest {

    @Inject
    TunneldConfig config;

    @Test
    void readinessIsDownAndNamesEachBrokenListener() {
        TunneldConfig.Tls tunnel = config.tunnel().tls();
        TunneldConfig.Tls https = config.https().tls();
        given().when().get("/q/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'listeners' }.data.http", startsWith("down: "))
                .body("checks.find { it.name == 'listeners' }.data.tunnel", equalTo("down: " + refusal(tunnel,
                        "tunnel", "cannot read " + tunnel.keyFile().get() + " (NoSuchFileException)")))
                .body("checks.find { it.name == 'listeners' }.data.https", equalTo("down: " + refusal(https,
                        "https", "the key does not match the certificate")));
    }

    @Test
    void eachListenerWhoseFilesCannotBeServedSaysSoInOneLineAtStart() throws Exception {
        for (TunneldConfig.Tls tls : List.of(config.tunnel().tls(), config.https().tls())) {
            List<String> naming = StartLog.lines().stream()
                    .filter(l -> l.contains(tls.certFile().get().toString())).toList();
            assertEquals(1, naming.size(), naming.toString());
            assertEquals(1, naming.stream().filter(l -> l.contains(" ERROR ") && l.contains(" listener could not start")
                    && l.contains(tls.keyFile().get().toString())).count(), naming.get(0));
        }
    }

    private static String refusal(TunneldConfig.Tls tls, String listener, String why) {
        return "TLS certificate " + tls.certFile().get() + " and key " + tls.keyFile().get() + " of " + listener + ": "
                + why;
    }
}

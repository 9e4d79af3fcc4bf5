package io.tunneld.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** A listener that cannot start makes the server not ready, and says why; the others serve. */
@QuarkusTest
@TestProfile(BrokenListenersProfile.class)
class ListenerDownTest {

    @Test
    void readinessIsDownAndNamesEachBrokenListener() {
        given().when().get("/q/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'listeners' }.data.http", startsWith("down: "))
                .body("checks.find { it.name == 'listeners' }.data.https",
                        allOf(startsWith("down: "), containsString(BrokenListenersProfile.MISSING_DIR)))
                .body("checks.find { it.name == 'listeners' }.data.tunnel", startsWith("bound "));
    }
}

package io.tunneld.testsupport;

import static io.restassured.RestAssured.given;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Samples of the server's Prometheus text at /q/metrics. */
public final class Metrics {

    private Metrics() {
    }

    /** The sample's value; fails the test if the server does not publish it. */
    public static double value(String sample) {
        Matcher m = find(sample);
        if (!m.find()) {
            throw new AssertionError("no metric sample " + sample);
        }
        return Double.parseDouble(m.group(1));
    }

    /** The sample's value, 0 while it does not exist yet (tagged counters appear on first use). */
    public static double valueOrZero(String sample) {
        Matcher m = find(sample);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static Matcher find(String sample) {
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        return Pattern.compile("(?m)^" + Pattern.quote(sample) + " ([0-9.eE+-]+)$").matcher(text);
    }
}

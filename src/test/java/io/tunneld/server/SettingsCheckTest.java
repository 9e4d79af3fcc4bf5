package io.tunneld.server;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.tunneld.config.TunneldConfig;

/**
 * Each bad setting stops the start with one line naming it and why, read from the mapping as
 * the server reads it (defaults included), with no server: which line a packaged server
 * prints, and that it exits, is {@code SettingsIT}'s part.
 */
class SettingsCheckTest {

    private static final String STRONG = "a-long-random-looking-value-7f3a9c";

    @Test
    void theDefaultsWithATokenPass() {
        assertDoesNotThrow(() -> check(Map.of("tunneld.auth.tokens", STRONG), false));
    }

    @Test
    void theDefaultsWithAGeneratedTokenPass() {
        assertDoesNotThrow(() -> check(Map.of(), false));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "tunneld.domain | bad domain | tunneld.domain \"bad domain\" is not a DNS name (letters, digits and hyphens in labels of at most 63, separated by dots)",
        "tunneld.domain | tunnels..example.com | tunneld.domain \"tunnels..example.com\" is not a DNS name (letters, digits and hyphens in labels of at most 63, separated by dots)",
        "tunneld.domain | -tunnels.example.com | tunneld.domain \"-tunnels.example.com\" is not a DNS name (letters, digits and hyphens in labels of at most 63, separated by dots)",
        "tunneld.allowed-hostname-domains | example.com,bad_name | tunneld.allowed-hostname-domains holds \"bad_name\", not a DNS name",
        "tunneld.tunnel.port | 70000 | tunneld.tunnel.port is 70000: a port is 1 to 65535",
        "tunneld.http.port | -1 | tunneld.http.port is -1: a port is 1 to 65535",
        "tunneld.https.port | 0 | tunneld.https.port is 0: a port is 1 to 65535 (0, any free port, is for tests only)",
        "tunneld.http.public-port | 0 | tunneld.http.public-port is 0: a port is 1 to 65535 (0, any free port, is for tests only)",
        "tunneld.https.public-port | 65536 | tunneld.https.public-port is 65536: a port is 1 to 65535",
        "tunneld.tcp.port-min | 0 | tunneld.tcp.port-min is 0: a port is 1 to 65535 (0, any free port, is for tests only)",
        "tunneld.tcp.port-max | 99999 | tunneld.tcp.port-max is 99999: a port is 1 to 65535",
        "tunneld.tcp.port-max | 9999 | tunneld.tcp.port-min 10000 is above tunneld.tcp.port-max 9999",
        "tunneld.https.port | 4443 | tunneld.https.port 4443 is also tunneld.tunnel.port on the same address",
        "tunneld.http.port | 10080 | the TCP tunnel range tunneld.tcp.port-min..port-max 10000-10999 holds tunneld.http.port 10080 on the same address",
        "tunneld.tunnel.tls.cert-file | /etc/tunneld/tls.crt | tunneld.tunnel.tls.cert-file is set without tunneld.tunnel.tls.key-file",
        "tunneld.https.tls.key-file | /etc/tunneld/tls.key | tunneld.https.tls.key-file is set without tunneld.https.tls.cert-file",
        "tunneld.auth.tokens | ' , ' | tunneld.auth.tokens is set but holds no token (leave it unset for a generated one)",
        "tunneld.cluster.redis-url | redis://127.0.0.1:6379 | tunneld.auth.tokens is required with tunneld.cluster.redis-url: a generated token would differ on every replica",
        "tunneld.limits.max-frame-length | 100 | tunneld.limits.max-frame-length is 100; it must be at least 512",
        "tunneld.limits.controls | 0 | tunneld.limits.controls is 0; it must be at least 1",
        "tunneld.limits.tunnels-per-client | -1 | tunneld.limits.tunnels-per-client is -1; it must be at least 1",
        "tunneld.limits.proxies-per-client | 0 | tunneld.limits.proxies-per-client is 0; it must be at least 1",
        "tunneld.limits.http-max-head-size | -5 | tunneld.limits.http-max-head-size is -5; it must be at least 1",
        "tunneld.limits.control-write-queue | 0 | tunneld.limits.control-write-queue is 0; it must be at least 1",
        "tunneld.limits.waiting-per-tunnel | -1 | tunneld.limits.waiting-per-tunnel is -1; it must be at least 1",
        "tunneld.limits.unidentified-connections | 0 | tunneld.limits.unidentified-connections is 0; it must be at least 1",
        "tunneld.limits.unidentified-connections-per-address | 0 | tunneld.limits.unidentified-connections-per-address is 0; it must be at least 1",
        "tunneld.auth.failure-budget | -1 | tunneld.auth.failure-budget is -1; it must be at least 0",
        "tunneld.auth.failure-table-size | 0 | tunneld.auth.failure-table-size is 0; it must be at least 1",
        "tunneld.event-loops | 0 | tunneld.event-loops is 0; it must be at least 1",
        "tunneld.timeouts.first-frame | 0s | tunneld.timeouts.first-frame is 0; it must be more than 0",
        "tunneld.timeouts.heartbeat | -5s | tunneld.timeouts.heartbeat is negative; it must be more than 0",
        "tunneld.timeouts.sweep-interval | 0s | tunneld.timeouts.sweep-interval is 0; it must be more than 0",
        "tunneld.timeouts.proxy-wait | -1s | tunneld.timeouts.proxy-wait is negative; it must be more than 0",
        "tunneld.timeouts.proxy-idle | 0s | tunneld.timeouts.proxy-idle is 0; it must be more than 0",
        "tunneld.timeouts.http-head | -1s | tunneld.timeouts.http-head is negative; it must be more than 0",
        "tunneld.timeouts.url-affinity | 0s | tunneld.timeouts.url-affinity is 0; it must be more than 0",
        "tunneld.timeouts.joined-idle | -1s | tunneld.timeouts.joined-idle is negative; it must be 0 or more",
        "tunneld.timeouts.drain | -1s | tunneld.timeouts.drain is negative; it must be 0 or more",
        "tunneld.auth.penalty-window | 0s | tunneld.auth.penalty-window is 0; it must be more than 0",
        "tunneld.auth.max-delay | -1s | tunneld.auth.max-delay is negative; it must be 0 or more",
        "tunneld.tls.reload-period | -1m | tunneld.tls.reload-period is negative; it must be 0 or more",
        "tunneld.cluster.lease | 0s | tunneld.cluster.lease is 0; it must be more than 0",
        "tunneld.cluster.redis-timeout | -2s | tunneld.cluster.redis-timeout is negative; it must be more than 0",
    })
    void aBadSettingIsRefusedWithOneLineNamingIt(String property, String value, String line) {
        Map<String, String> settings = new HashMap<>(Map.of(property, value));
        if (!property.equals("tunneld.cluster.redis-url")) {
            settings.put("tunneld.auth.tokens", settings.getOrDefault("tunneld.auth.tokens", STRONG));
        }
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> check(settings, false));
        assertEquals(line, e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void zeroPortsAreAllowedForTestsOnly() {
        Map<String, String> anyPorts = Map.of("tunneld.tunnel.port", "0", "tunneld.http.port", "0",
                "tunneld.https.port", "0", "tunneld.auth.tokens", STRONG);
        assertDoesNotThrow(() -> check(anyPorts, true));
        assertEquals("tunneld.tunnel.port is 0: a port is 1 to 65535 (0, any free port, is for tests only)",
                assertThrows(ConfigurationException.class, () -> check(anyPorts, false)).getMessage());
    }

    @Test
    void theClusterForwardPortMayBeZeroAnywhereAndClashesWithAListenerOnlyOnTheSameAddress() {
        Map<String, String> cluster = new HashMap<>(Map.of("tunneld.cluster.redis-url", "redis://127.0.0.1:6379",
                "tunneld.cluster.forward-port", "0", "tunneld.auth.tokens", STRONG));
        assertDoesNotThrow(() -> check(cluster, false));
        cluster.put("tunneld.cluster.forward-port", "8880");
        assertEquals("tunneld.cluster.forward-port 8880 is also tunneld.http.port on the same address",
                assertThrows(ConfigurationException.class, () -> check(cluster, false)).getMessage());
        cluster.putAll(Map.of("tunneld.http.host", "10.0.0.1", "tunneld.cluster.advertise-host", "10.0.0.2"));
        assertDoesNotThrow(() -> check(cluster, false));
    }

    @Test
    void oneTcpPortAndListenersOnOtherAddressesPass() {
        assertDoesNotThrow(() -> check(Map.of("tunneld.tcp.port-min", "10000", "tunneld.tcp.port-max", "10000",
                "tunneld.tunnel.host", "10.0.0.1", "tunneld.https.host", "10.0.0.2", "tunneld.https.port", "4443",
                "tunneld.auth.tokens", STRONG), false));
        assertDoesNotThrow(() -> check(Map.of("tunneld.tcp.host", "10.0.0.1", "tunneld.http.host", "10.0.0.2",
                "tunneld.http.port", "10080", "tunneld.auth.tokens", STRONG), false));
    }

    @Test
    void disabledListenersAndTcpTunnelsAreNotChecked() {
        assertDoesNotThrow(() -> check(Map.of("tunneld.http.enabled", "false", "tunneld.http.port", "99999",
                "tunneld.tcp.enabled", "false", "tunneld.tcp.port-min", "2", "tunneld.tcp.port-max", "1",
                "tunneld.auth.tokens", STRONG), false));
    }

    @Test
    void aWeakTokenIsRefusedByPositionWithoutPrintingIt() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> check(Map.of("tunneld.auth.tokens", STRONG + ",short-one"), false));
        assertEquals("tunneld.auth.tokens: token-2 is shorter than 16 characters; use a long random one "
                + "(openssl rand -hex 32), or set tunneld.auth.allow-weak-tokens=true", e.getMessage());
        assertFalse(e.getMessage().contains("short-one"));
    }

    @Test
    void allowWeakTokensLetsThemThrough() {
        assertDoesNotThrow(() -> check(Map.of("tunneld.auth.tokens", "change-me,secret",
                "tunneld.auth.allow-weak-tokens", "true"), false));
    }

    @Test
    void tokensAreNotCheckedWithAuthenticationOff() {
        assertDoesNotThrow(() -> check(Map.of("tunneld.auth.enabled", "false", "tunneld.auth.tokens", "change-me",
                "tunneld.cluster.redis-url", "redis://127.0.0.1:6379"), false));
    }

    private static void check(Map<String, String> settings, boolean anyPortAllowed) {
        // Durations as Quarkus reads them ("10s"), not only ISO-8601.
        TunneldConfig config = new SmallRyeConfigBuilder().withMapping(TunneldConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(settings, "test", 100)).build()
                .getConfigMapping(TunneldConfig.class);
        SettingsCheck.check(config, anyPortAllowed);
    }
}

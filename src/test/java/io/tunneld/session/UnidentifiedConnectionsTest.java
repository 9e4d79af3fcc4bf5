package io.tunneld.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

/** What a tunnel-port connection counts under for the per-address limit. */
class UnidentifiedConnectionsTest {

    @Test
    void anIpv4AddressCountsAloneAndAnIpv6AddressByItsSlash64() {
        assertEquals("192.0.2.7", source("192.0.2.7"));
        assertEquals("192.0.2.7", source("::ffff:192.0.2.7"), "an IPv4 peer on a dual-stack socket");
        assertEquals(source("2001:db8:1:2::1"), source("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "one host's /64");
        assertNotEquals(source("2001:db8:1:2::1"), source("2001:db8:1:3::1"), "another /64");
    }

    private static String source(String ip) {
        return UnidentifiedConnections.source(new InetSocketAddress(ip, 4443));
    }
}

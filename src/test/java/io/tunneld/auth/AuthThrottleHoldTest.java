package io.tunneld.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.vertx.core.net.SocketAddress;

/** How long answers are held, and which source a peer counts as. */
class AuthThrottleHoldTest {

    private static final Duration MAX = Duration.ofSeconds(2);

    @Test
    void theHoldStartsAt100MsAndDoublesUpToTheMaximum() {
        assertEquals(Duration.ZERO, AuthThrottle.hold(0, MAX), "not under penalty: never held");
        assertEquals(Duration.ofMillis(100), AuthThrottle.hold(1, MAX));
        assertEquals(Duration.ofMillis(200), AuthThrottle.hold(2, MAX));
        assertEquals(Duration.ofMillis(1600), AuthThrottle.hold(5, MAX));
        assertEquals(MAX, AuthThrottle.hold(6, MAX));
        assertEquals(MAX, AuthThrottle.hold(Integer.MAX_VALUE, MAX));
        assertEquals(Duration.ZERO, AuthThrottle.hold(3, Duration.ZERO), "a maximum of 0 holds nothing");
    }

    @Test
    void anIpv4PeerCountsAsItsAddress() throws Exception {
        assertEquals("203.0.113.7", SourceAddress.of(peer("203.0.113.7")));
        assertEquals("203.0.113.7", SourceAddress.of(peer("::ffff:203.0.113.7")), "IPv4-mapped");
    }

    @Test
    void anIpv6PeerCountsAsItsSlash64() throws Exception {
        String one = SourceAddress.of(peer("2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
        assertEquals("2001:db8:1:2::/64", one);
        assertEquals(one, SourceAddress.of(peer("2001:db8:1:2::1")), "same /64");
        assertEquals("2001:db8:1:3::/64", SourceAddress.of(peer("2001:db8:1:3::1")), "next /64");
    }

    private static SocketAddress peer(String ip) throws UnknownHostException {
        return SocketAddress.inetSocketAddress(new InetSocketAddress(InetAddress.getByName(ip), 40000));
    }
}

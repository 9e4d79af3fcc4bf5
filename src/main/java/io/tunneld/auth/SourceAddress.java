package io.tunneld.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;

import io.vertx.core.net.SocketAddress;

/**
 * The source a peer counts as: its IPv4 address, or the /64 network of its IPv6 address. One
 * host or site usually holds a whole /64 (and its privacy addresses change within it), so
 * counting single IPv6 addresses would give one attacker billions of fresh sources.
 */
public final class SourceAddress {

    private SourceAddress() {
    }

    /** {@code 203.0.113.7}, or {@code 2001:db8:1:2::/64}; an address of no IP family as it prints. */
    public static String of(SocketAddress peer) {
        String host = peer.hostAddress();
        if (host == null) {
            return String.valueOf(peer);
        }
        if (host.indexOf(':') < 0) {
            return host;
        }
        InetAddress address;
        try {
            // A literal with a colon is parsed as IPv6, never looked up in DNS.
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return host;
        }
        byte[] bytes = address.getAddress();
        if (bytes.length == 4) {
            // An IPv4-mapped address (a dual-stack listener): the IPv4 peer it stands for.
            return address.getHostAddress();
        }
        return String.format("%x:%x:%x:%x::/64", word(bytes, 0), word(bytes, 2), word(bytes, 4), word(bytes, 6));
    }

    private static int word(byte[] bytes, int at) {
        return (bytes[at] & 0xff) << 8 | bytes[at + 1] & 0xff;
    }
}

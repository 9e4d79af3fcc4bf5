package io.tunneld.session;

import java.util.List;

/**
 * A session opened: the id it has, and the random hosts and TCP ports that id held before,
 * oldest first, to be offered again.
 */
public record SessionGrant(String id, List<String> hosts, List<Integer> ports) {
}

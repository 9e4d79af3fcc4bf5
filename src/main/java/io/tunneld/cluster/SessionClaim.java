package io.tunneld.cluster;

import java.util.List;

/**
 * The answer to opening a session under a ClientId: refused (another principal holds or
 * recently held the id), or granted with the random hosts and TCP ports the id held before,
 * oldest first.
 */
record SessionClaim(boolean granted, List<String> hosts, List<Integer> ports) {

    static final SessionClaim TAKEN = new SessionClaim(false, List.of(), List.of());
}

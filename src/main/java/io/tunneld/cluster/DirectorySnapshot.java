package io.tunneld.cluster;

import java.util.Map;

/**
 * The whole cluster directory at one moment: routes by key, sessions by ClientId, and the
 * address of every replica whose lease is current.
 */
record DirectorySnapshot(Map<String, RouteEntry> routes, Map<String, SessionEntry> sessions,
        Map<String, String> members) {
}

package io.tunneld.cluster;

import java.util.Map;

/**
 * The whole cluster directory at one version (the last change it contains): routes by key,
 * sessions by ClientId, and the address of every replica whose lease is current.
 */
record DirectorySnapshot(long version, Map<String, RouteEntry> routes, Map<String, SessionEntry> sessions,
        Map<String, String> members) {
}

package io.tunneld.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * This replica's copy of the cluster directory, kept by the announcements and read again
 * whole after each (re)subscription and now and then as a safety net. Public connections
 * are routed from it (through {@link Changes}) without asking Redis. Thread-safe.
 */
final class ClusterView {

    /** What changes in the view mean to the rest of the replica. */
    interface Changes {
        /** Another replica's session now serves {@code key}. */
        void routeAdded(String key, RouteEntry entry);

        /** {@code key}, served by another replica's session, is gone. */
        void routeRemoved(String key, RouteEntry entry);

        /** Session {@code clientId} is now held by {@code replica} (maybe another than before). */
        void sessionHeld(String clientId, String replica);

        /** Session {@code clientId} of {@code replica} ended. */
        void sessionEnded(String clientId, String replica);

        /** Replica {@code replica} left or died. */
        void memberLeft(String replica);
    }

    private final String self;
    private final Changes changes;
    private final Map<String, RouteEntry> routes = new HashMap<>();
    private final Map<String, String> sessions = new HashMap<>();
    private final Map<String, String> members = new HashMap<>();
    /** Members missing from consecutive directory reads, and how many. */
    private final Map<String, Integer> missing = new HashMap<>();

    ClusterView(String self, Changes changes) {
        this.self = self;
        this.changes = changes;
    }

    /** The address of replica {@code id}, if it is a member. */
    synchronized String address(String id) {
        return members.get(id);
    }

    /** The replica holding session {@code clientId}, if known. */
    synchronized Optional<String> sessionReplica(String clientId) {
        return Optional.ofNullable(sessions.get(clientId));
    }

    /** Replicas known alive, this one included once its lease is in. */
    synchronized Map<String, String> members() {
        return Map.copyOf(members);
    }

    /** Routes in the cluster, this replica's included. */
    synchronized int routeCount() {
        return routes.size();
    }

    /** Sessions in the cluster, this replica's included. */
    synchronized int sessionCount() {
        return sessions.size();
    }

    /**
     * A route read from the directory before its announcement arrived: taken in unless the
     * view knows of it already (then the announcements are newer).
     */
    synchronized void learned(String key, RouteEntry entry) {
        if (!routes.containsKey(key)) {
            putRoute(key, entry);
        }
    }

    /** Applies one announcement. */
    synchronized void apply(DirectoryEvent event) {
        switch (event.kind()) {
            case ROUTE_ADDED -> putRoute(event.key(), RedisDirectory.parse(event.detail(), RouteEntry.class));
            case ROUTE_REMOVED -> {
                RouteEntry old = routes.get(event.key());
                if (old != null && old.replica().equals(event.detail())) {
                    removeRoute(event.key());
                }
            }
            case SESSION_ADDED -> putSession(event.key(), RedisDirectory.parse(event.detail(), SessionEntry.class).replica());
            case SESSION_REMOVED -> {
                if (event.detail().equals(sessions.get(event.key()))) {
                    sessions.remove(event.key());
                    changes.sessionEnded(event.key(), event.detail());
                }
            }
            case MEMBER_ADDED -> {
                members.put(event.key(), event.detail());
                missing.remove(event.key());
            }
            case MEMBER_REMOVED -> removeMember(event.key());
        }
    }

    /**
     * Brings the view in line with a whole directory read, telling what differs. Absence is
     * weaker evidence than an announcement: a Redis restarted empty lacks everything until
     * each replica has put its state back. So a member missing from two reads in a row is
     * taken as gone (its lease lapsed; the reap announces it too), a route missing while its
     * replica is a member is dropped (it comes back with its replica's restore), and a
     * session missing is forgotten without ending anything.
     */
    synchronized void reset(DirectorySnapshot snapshot) {
        for (String id : Map.copyOf(members).keySet()) {
            if (snapshot.members().containsKey(id)) {
                missing.remove(id);
            } else if (missing.merge(id, 1, Integer::sum) >= 2) {
                missing.remove(id);
                removeMember(id);
            }
        }
        members.putAll(snapshot.members());
        for (Map.Entry<String, RouteEntry> r : Map.copyOf(routes).entrySet()) {
            if (!snapshot.routes().containsKey(r.getKey()) && snapshot.members().containsKey(r.getValue().replica())) {
                removeRoute(r.getKey());
            }
        }
        snapshot.routes().forEach(this::putRoute);
        sessions.keySet().retainAll(snapshot.sessions().keySet());
        snapshot.sessions().forEach((id, entry) -> putSession(id, entry.replica()));
    }

    private void putRoute(String key, RouteEntry entry) {
        RouteEntry old = routes.put(key, entry);
        if (entry.equals(old)) {
            return;
        }
        if (old != null && !old.replica().equals(self)) {
            changes.routeRemoved(key, old);
        }
        if (!entry.replica().equals(self)) {
            changes.routeAdded(key, entry);
        }
    }

    private void removeRoute(String key) {
        RouteEntry old = routes.remove(key);
        if (old != null && !old.replica().equals(self)) {
            changes.routeRemoved(key, old);
        }
    }

    private void putSession(String clientId, String replica) {
        if (!replica.equals(sessions.put(clientId, replica))) {
            changes.sessionHeld(clientId, replica);
        }
    }

    private void removeMember(String id) {
        members.remove(id);
        routes.entrySet().removeIf(e -> {
            if (e.getValue().replica().equals(id)) {
                changes.routeRemoved(e.getKey(), e.getValue());
                return true;
            }
            return false;
        });
        sessions.entrySet().removeIf(e -> {
            if (e.getValue().equals(id)) {
                changes.sessionEnded(e.getKey(), id);
                return true;
            }
            return false;
        });
        changes.memberLeft(id);
    }
}

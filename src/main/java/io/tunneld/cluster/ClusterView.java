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
            case MEMBER_ADDED -> members.put(event.key(), event.detail());
            case MEMBER_REMOVED -> removeMember(event.key());
        }
    }

    /** Replaces the view with a whole directory read, telling only what differs. */
    synchronized void reset(DirectorySnapshot snapshot) {
        for (String id : Map.copyOf(members).keySet()) {
            if (!snapshot.members().containsKey(id)) {
                removeMember(id);
            }
        }
        members.putAll(snapshot.members());
        for (String key : Map.copyOf(routes).keySet()) {
            if (!snapshot.routes().containsKey(key)) {
                removeRoute(key);
            }
        }
        snapshot.routes().forEach(this::putRoute);
        for (Map.Entry<String, String> s : Map.copyOf(sessions).entrySet()) {
            if (!snapshot.sessions().containsKey(s.getKey())) {
                sessions.remove(s.getKey());
                changes.sessionEnded(s.getKey(), s.getValue());
            }
        }
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

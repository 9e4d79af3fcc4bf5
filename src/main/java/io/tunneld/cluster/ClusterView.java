package io.tunneld.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This replica's copy of the cluster directory, kept by the announcements and read again
 * whole after each (re)subscription and now and then as a safety net. Public connections
 * are routed from it (through {@link Changes}) without asking Redis. Versions order the two:
 * an announcement a read already contains is skipped, a read older than the announcements
 * applied is, and after a (re)subscription the announcements wait for the read they follow.
 * Thread-safe: changes are applied, and told, under the view's lock, and the lookups that
 * other locks' holders make (addresses, sessions) do not take it, so the two never wait for
 * each other.
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
    /** Read without the view's lock (from links, from proxies arriving): never held while waiting for another. */
    private final Map<String, String> sessions = new ConcurrentHashMap<>();
    private final Map<String, String> members = new ConcurrentHashMap<>();
    /** Members missing from consecutive directory reads, and how many. */
    private final Map<String, Integer> missing = new HashMap<>();
    /** Sessions missing from consecutive directory reads, and how many. */
    private final Map<String, Integer> missingSessions = new HashMap<>();
    /** Announcements that came while the view waits for its first read after a (re)subscription. */
    private final List<DirectoryEvent> waiting = new ArrayList<>();
    /** The directory version the view reflects. */
    private long applied = -1;
    /** Whether announcements wait for a read: after a (re)subscription, whose gap lost some. */
    private boolean reading = true;
    /** Whether reads follow a lost connection to Redis, which may have restarted empty. */
    private boolean afterGap;
    /** Reads since the gap: the second one in a row settles what the first left open. */
    private int weakReads;
    /** Whether announcements have come on a subscription before: a new one follows a gap. */
    private boolean subscribed;

    ClusterView(String self, Changes changes) {
        this.self = self;
        this.changes = changes;
    }

    /** The address of replica {@code id}, if it is a member. */
    String address(String id) {
        return members.get(id);
    }

    /** The replica holding session {@code clientId}, if known. */
    Optional<String> sessionReplica(String clientId) {
        return Optional.ofNullable(sessions.get(clientId));
    }

    /** Replicas known alive, this one included once its lease is in. */
    Map<String, String> members() {
        return Map.copyOf(members);
    }

    /** Routes in the cluster, this replica's included. */
    synchronized int routeCount() {
        return routes.size();
    }

    /** Sessions in the cluster, this replica's included. */
    int sessionCount() {
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

    /**
     * Announcements now come on a new subscription: they wait for the read that follows,
     * which is what the view is brought in line with first (the directory may have changed,
     * or restarted empty and counted its versions from zero again, meanwhile).
     */
    synchronized void resubscribed() {
        reading = true;
        afterGap = subscribed;
        subscribed = true;
        weakReads = 0;
        waiting.clear();
    }

    /** Applies one announcement, unless the view has it already. */
    synchronized void apply(DirectoryEvent event) {
        if (reading) {
            waiting.add(event);
            return;
        }
        if (event.version() <= applied) {
            return;
        }
        applied = event.version();
        change(event);
    }

    private void change(DirectoryEvent event) {
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
                    missingSessions.remove(event.key());
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
     * Brings the view in line with a whole directory read, telling what differs, unless the
     * view is newer already; then applies the announcements that came after it. Right after
     * a lost connection to Redis, absence is weaker evidence: a Redis restarted empty lacks
     * everything until each replica has put its state back. Then a member or a session
     * missing from that read stays until a later one lacks it too (a lease that lapsed is
     * announced by the reap anyway), and a route missing while its replica is a member goes
     * (it comes back with its replica's restore).
     */
    synchronized void reset(DirectorySnapshot snapshot) {
        if (!reading && !afterGap && snapshot.version() <= applied) {
            return;
        }
        boolean weak = afterGap;
        for (String id : Map.copyOf(members).keySet()) {
            if (snapshot.members().containsKey(id)) {
                missing.remove(id);
            } else if (!weak || missing.merge(id, 1, Integer::sum) >= 2) {
                missing.remove(id);
                removeMember(id);
            }
        }
        members.putAll(snapshot.members());
        for (Map.Entry<String, RouteEntry> r : Map.copyOf(routes).entrySet()) {
            if (!snapshot.routes().containsKey(r.getKey())
                    && (!weak || snapshot.members().containsKey(r.getValue().replica()))) {
                removeRoute(r.getKey());
            }
        }
        snapshot.routes().forEach(this::putRoute);
        for (String id : Map.copyOf(sessions).keySet()) {
            if (snapshot.sessions().containsKey(id)) {
                missingSessions.remove(id);
            } else if (!weak || missingSessions.merge(id, 1, Integer::sum) >= 2) {
                missingSessions.remove(id);
                sessions.remove(id);
            }
        }
        snapshot.sessions().forEach((id, entry) -> putSession(id, entry.replica()));
        if (weak && ++weakReads >= 2) {
            afterGap = false;
        }
        // The first read after a gap starts the count afresh: a Redis restarted empty counts from zero.
        applied = reading ? snapshot.version() : Math.max(applied, snapshot.version());
        reading = false;
        List<DirectoryEvent> later = List.copyOf(waiting);
        waiting.clear();
        for (DirectoryEvent event : later) {
            if (event.version() > applied) {
                applied = event.version();
                change(event);
            }
        }
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

package io.tunneld.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * The view's reading of whole directory reads: absence is weak evidence (a Redis restarted
 * empty lacks everything for a moment), announcements are strong.
 */
class ClusterViewTest {

    private final List<String> told = new ArrayList<>();
    private final ClusterView view = new ClusterView("me", new ClusterView.Changes() {
        @Override
        public void routeAdded(String key, RouteEntry entry) {
            told.add("route+ " + key);
        }

        @Override
        public void routeRemoved(String key, RouteEntry entry) {
            told.add("route- " + key);
        }

        @Override
        public void sessionHeld(String clientId, String replica) {
            told.add("held " + clientId + " " + replica);
        }

        @Override
        public void sessionEnded(String clientId, String replica) {
            told.add("ended " + clientId + " " + replica);
        }

        @Override
        public void memberLeft(String replica) {
            told.add("left " + replica);
        }
    });

    private static RouteEntry route(String replica) {
        return new RouteEntry(replica, "c1", "g1", "token-1", "http://x.localhost", "");
    }

    private static DirectorySnapshot read(Map<String, RouteEntry> routes, Map<String, SessionEntry> sessions,
            Map<String, String> members) {
        return new DirectorySnapshot(routes, sessions, members);
    }

    @Test
    void aMemberMissingFromOneReadStaysAndFromTwoInARowLeaves() {
        view.reset(read(Map.of("http://x", route("b")), Map.of("c1", new SessionEntry("b", "token-1", "g1")),
                Map.of("me", "m:1", "b", "b:1")));
        told.clear();

        view.reset(read(Map.of(), Map.of(), Map.of()));
        assertEquals(List.of(), told, "a Redis restarted empty: nothing is taken as gone yet");
        assertEquals("b:1", view.address("b"));
        assertEquals(Optional.empty(), view.sessionReplica("c1"), "sessions missing are forgotten silently");

        view.reset(read(Map.of(), Map.of(), Map.of("me", "m:1")));
        assertEquals(List.of("route- http://x", "left b"), told, "missing twice: gone, with its routes");
    }

    @Test
    void aMemberBackInTimeKeepsEverything() {
        view.reset(read(Map.of("http://x", route("b")), Map.of(), Map.of("b", "b:1")));
        view.reset(read(Map.of(), Map.of(), Map.of()));
        view.reset(read(Map.of("http://x", route("b")), Map.of(), Map.of("b", "b:1")));
        view.reset(read(Map.of("http://x", route("b")), Map.of(), Map.of()));
        assertTrue(told.stream().noneMatch(t -> t.startsWith("left") || t.startsWith("route-")), told.toString());
    }

    @Test
    void aRouteMissingWhileItsReplicaIsAMemberIsDropped() {
        view.reset(read(Map.of("http://x", route("b")), Map.of(), Map.of("b", "b:1")));
        view.reset(read(Map.of(), Map.of(), Map.of("b", "b:1")));
        assertEquals(List.of("route+ http://x", "route- http://x"), told);
    }

    @Test
    void announcementsAreTakenAtTheirWord() {
        view.apply(DirectoryEvent.parse("M+ b b:1").orElseThrow());
        view.apply(DirectoryEvent.parse("S+ c1 {\"r\":\"b\",\"p\":\"token-1\",\"g\":\"g1\"}").orElseThrow());
        view.apply(DirectoryEvent.parse("S- c1 b").orElseThrow());
        view.apply(DirectoryEvent.parse("M- b").orElseThrow());
        assertEquals(List.of("held c1 b", "ended c1 b", "left b"), told);
    }
}

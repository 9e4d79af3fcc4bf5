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

    private long version;

    /** A whole directory read, each newer than the last. */
    private DirectorySnapshot read(Map<String, RouteEntry> routes, Map<String, SessionEntry> sessions,
            Map<String, String> members) {
        return new DirectorySnapshot(++version, routes, sessions, members);
    }

    @Test
    void afterALostConnectionAMemberMissingFromOneReadStaysAndFromTwoInARowLeaves() {
        view.resubscribed();
        view.reset(read(Map.of("http://x", route("b")), Map.of("c1", new SessionEntry("b", "token-1", "g1")),
                Map.of("me", "m:1", "b", "b:1")));
        told.clear();
        view.resubscribed();
        version = 0; // a Redis restarted empty counts from zero again

        view.reset(read(Map.of(), Map.of(), Map.of()));
        assertEquals(List.of(), told, "a Redis restarted empty: nothing is taken as gone yet");
        assertEquals("b:1", view.address("b"));
        assertEquals(Optional.of("b"), view.sessionReplica("c1"), "a session missing once is still known");

        view.reset(read(Map.of(), Map.of(), Map.of("me", "m:1")));
        assertEquals(List.of("route- http://x", "ended c1 b", "left b"), told, "missing twice: gone, with its routes and sessions");
        assertEquals(Optional.empty(), view.sessionReplica("c1"), "and its sessions");
    }

    @Test
    void afterALostConnectionAMemberBackInTheNextReadKeepsEverything() {
        view.resubscribed();
        view.reset(read(Map.of("http://x", route("b")), Map.of(), Map.of("b", "b:1")));
        view.resubscribed();
        view.reset(read(Map.of(), Map.of(), Map.of()));
        view.reset(read(Map.of("http://x", route("b")), Map.of(), Map.of("b", "b:1")));
        assertTrue(told.stream().noneMatch(t -> t.startsWith("left") || t.startsWith("route-")), told.toString());
        assertEquals("b:1", view.address("b"));
    }

    @Test
    void afterALostConnectionASessionMissingFromTwoReadsIsForgottenSilently() {
        view.resubscribed();
        view.reset(read(Map.of(), Map.of("c1", new SessionEntry("b", "token-1", "g1")), Map.of("b", "b:1")));
        told.clear();
        view.resubscribed();
        view.reset(read(Map.of(), Map.of(), Map.of("b", "b:1")));
        assertEquals(Optional.of("b"), view.sessionReplica("c1"));
        view.reset(read(Map.of(), Map.of(), Map.of("b", "b:1")));
        assertEquals(Optional.empty(), view.sessionReplica("c1"));
        assertEquals(List.of(), told, "nothing ended on absence alone");
    }

    @Test
    void aRouteMissingWhileItsReplicaIsAMemberIsDropped() {
        view.reset(read(Map.of("http://x", route("b")), Map.of(), Map.of("b", "b:1")));
        view.reset(read(Map.of(), Map.of(), Map.of("b", "b:1")));
        assertEquals(List.of("route+ http://x", "route- http://x"), told);
    }

    @Test
    void announcementsAreTakenAtTheirWord() {
        view.reset(read(Map.of(), Map.of(), Map.of()));
        view.apply(DirectoryEvent.parse("2 M+ b b:1").orElseThrow());
        view.apply(DirectoryEvent.parse("3 S+ c1 {\"r\":\"b\",\"p\":\"token-1\",\"g\":\"g1\"}").orElseThrow());
        view.apply(DirectoryEvent.parse("4 S- c1 b").orElseThrow());
        view.apply(DirectoryEvent.parse("5 M- b").orElseThrow());
        assertEquals(List.of("held c1 b", "ended c1 b", "left b"), told);
    }

    @Test
    void aReadOlderThanTheAnnouncementsAppliedIsSkippedAndOneNewerSkipsWhatItHas() {
        view.reset(read(Map.of(), Map.of(), Map.of("b", "b:1")));
        view.apply(DirectoryEvent.parse("2 R+ http://x " + RedisDirectory.json(route("b"))).orElseThrow());
        view.reset(new DirectorySnapshot(1, Map.of(), Map.of(), Map.of("b", "b:1")));
        assertEquals(List.of("route+ http://x"), told, "the older read does not take the route away");

        view.reset(new DirectorySnapshot(4, Map.of(), Map.of(), Map.of("b", "b:1")));
        view.apply(DirectoryEvent.parse("3 R+ http://y " + RedisDirectory.json(route("b"))).orElseThrow());
        assertEquals(List.of("route+ http://x", "route- http://x"), told,
                "a newer read says the route went; an announcement it contains is not applied again");
    }

    @Test
    void announcementsDuringTheFirstReadWaitForItAndThoseItContainsAreSkipped() {
        view.resubscribed();
        view.apply(DirectoryEvent.parse("5 R+ http://x " + RedisDirectory.json(route("b"))).orElseThrow());
        view.apply(DirectoryEvent.parse("6 R+ http://y " + RedisDirectory.json(route("b"))).orElseThrow());
        assertEquals(List.of(), told, "no announcement before the read");
        view.reset(new DirectorySnapshot(5, Map.of("http://x", route("b")), Map.of(), Map.of("b", "b:1")));
        assertEquals(List.of("route+ http://x", "route+ http://y"), told);
    }
}

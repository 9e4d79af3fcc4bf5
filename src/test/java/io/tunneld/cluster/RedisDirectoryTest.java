package io.tunneld.cluster;

import static io.tunneld.testsupport.EventLoops.await;
import static io.tunneld.testsupport.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tunneld.testsupport.RedisClusterServers;
import io.tunneld.testsupport.RedisServer;
import io.tunneld.testsupport.VertxTest;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;

/** The directory's scripts against a real redis-server: who wins, who may take over, what expires. */
class RedisDirectoryTest extends VertxTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static RedisServer server;

    @BeforeAll
    static void startRedis() throws IOException {
        server = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws InterruptedException {
        server.close();
    }

    /** A fresh key space per directory pair, so tests do not see each other's entries. */
    private final String prefix = "{test" + PREFIXES.incrementAndGet() + "}";

    private RedisDirectory replica(String id) {
        return replica(id, server.url());
    }

    private RedisDirectory replica(String id, String url) {
        return new RedisDirectory(vertx, Redis.createClient(vertx, url), prefix, id, TIMEOUT,
                new SimpleMeterRegistry().timer("latency"));
    }

    private static Map<String, RouteEntry> route(String key, String replica, String clientId, String principal) {
        Map<String, RouteEntry> routes = new LinkedHashMap<>();
        routes.put(key, new RouteEntry(replica, clientId, replica + "-" + clientId, principal, "http://" + key, ""));
        return routes;
    }

    @Test
    void twoSessionsRacingForOneNameOnTwoReplicas() throws Exception {
        RedisDirectory a = replica("a");
        RedisDirectory b = replica("b");
        await(a.renew("a:1", LEASE));
        await(b.renew("b:1", LEASE));
        for (int round = 0; round < 50; round++) {
            String name = "race" + round;
            await(a.openSession("client-a" + round, "token-1", "a-client-a" + round));
            await(b.openSession("client-b" + round, "token-2", "b-client-b" + round));
            Future<Integer> first = a.claimRoutes("a-client-a" + round, "client-a" + round, "token-1", route(name, "a", "client-a" + round, "token-1"));
            Future<Integer> second = b.claimRoutes("b-client-b" + round, "client-b" + round, "token-2", route(name, "b", "client-b" + round, "token-2"));
            List<Integer> results = List.of(await(first), await(second));
            assertTrue(results.contains(0) && results.contains(1), "exactly one wins: " + results);
        }
    }

    @Test
    void theSameSessionTakesItsNamesOverOnAnotherReplicaAndTheOldReplicaCannotFreeThem() throws Exception {
        RedisDirectory a = replica("a");
        RedisDirectory b = replica("b");
        await(a.renew("a:1", LEASE));
        await(b.renew("b:1", LEASE));
        await(a.openSession("c1", "token-1", "a-c1"));
        assertEquals(0, await(a.claimRoutes("a-c1", "c1", "token-1", route("demo", "a", "c1", "token-1"))));

        assertTrue(await(b.openSession("c1", "token-1", "b-c1")).granted(), "same principal resumes the id elsewhere");
        assertEquals(0, await(b.claimRoutes("b-c1", "c1", "token-1", route("demo", "b", "c1", "token-1"))),
                "at once, though a is alive");
        assertEquals(-1, await(a.claimRoutes("a-c1", "c1", "token-1", route("other", "a", "c1", "token-1"))),
                "the session is no longer a's");
        await(a.releaseRoutes("a-c1", List.of("demo")));
        await(a.closeSession("c1", "a-c1", Duration.ofHours(1)));
        DirectorySnapshot after = await(b.snapshot());
        assertEquals("b", after.routes().get("demo").replica(), "a's late release does not free b's route");
        assertEquals("b", after.sessions().get("c1").replica());
    }

    @Test
    void aSessionReplacedOnTheSameReplicaCannotEndItsSuccessorNorFreeItsRoutes() throws Exception {
        RedisDirectory a = replica("a");
        await(a.renew("a:1", LEASE));
        await(a.openSession("c8", "token-1", "first"));
        assertEquals(0, await(a.claimRoutes("first", "c8", "token-1", route("kept", "a", "c8", "token-1"))));
        await(a.openSession("c8", "token-1", "second"));
        Map<String, RouteEntry> again = new LinkedHashMap<>();
        again.put("kept", new RouteEntry("a", "c8", "second", "token-1", "http://kept", ""));
        assertEquals(0, await(a.claimRoutes("second", "c8", "token-1", again)));
        await(a.releaseRoutes("first", List.of("kept")));
        await(a.closeSession("c8", "first", Duration.ofMillis(1)));
        DirectorySnapshot after = await(a.snapshot());
        assertEquals("second", after.routes().get("kept").instance());
        assertEquals("second", after.sessions().get("c8").instance());
    }

    @Test
    void anotherPrincipalGetsNeitherALiveNorARememberedId() throws Exception {
        RedisDirectory a = replica("a");
        await(a.renew("a:1", LEASE));
        assertTrue(await(a.openSession("c2", "token-1", "a-c2")).granted());
        assertFalse(await(a.openSession("c2", "token-2", "a-c2")).granted(), "live");
        await(a.closeSession("c2", "a-c2", Duration.ofMillis(300)));
        assertFalse(await(a.openSession("c2", "token-2", "a-c2")).granted(), "remembered");
        eventually(() -> grantedQuietly(a, "c2", "token-2"));
    }

    private static boolean grantedQuietly(RedisDirectory d, String id, String principal) {
        try {
            return await(d.openSession(id, principal, "d-" + id)).granted();
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void hostsAndPortsComeBackToTheSameIdAndExpireFromTheDisconnectOnly() throws Exception {
        RedisDirectory a = replica("a");
        await(a.renew("a:1", LEASE));
        await(a.openSession("c3", "token-1", "a-c3"));
        await(a.rememberHost("c3", "token-1", "one.localhost"));
        await(a.rememberHost("c3", "token-1", "two.localhost"));
        await(a.rememberHost("c3", "token-1", "one.localhost"));
        await(a.rememberPort("c3", "token-1", 10022));
        await(a.rememberHost("c3", "token-2", "stranger.localhost"));
        Thread.sleep(400);
        await(a.closeSession("c3", "a-c3", Duration.ofMillis(600)));
        SessionClaim back = await(a.openSession("c3", "token-1", "a-c3"));
        assertEquals(List.of("two.localhost", "one.localhost"), back.hosts(), "newest last, no other principal's");
        assertEquals(List.of(10022), back.ports());
        Thread.sleep(800);
        assertEquals(List.of("two.localhost", "one.localhost"), await(a.openSession("c3", "token-1", "a-c3")).hosts(),
                "no expiry while the session lives, however long");
        await(a.closeSession("c3", "a-c3", Duration.ofMillis(300)));
        assertTrue(await(a.session("c3")).isEmpty());
        Redis raw = Redis.createClient(vertx, server.url());
        eventually(() -> exists(raw, prefix + ":affinity:c3") == 0);
        assertEquals(List.of(), await(a.openSession("c3", "token-1", "a-c3")).hosts(), "forgotten once expired");
    }

    private static int exists(Redis raw, String key) {
        try {
            return await(raw.send(Request.cmd(Command.EXISTS).arg(key))).toInteger();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void aDeadReplicasNamesAreFreedWhenItsLeaseEnds() throws Exception {
        RedisDirectory a = replica("a");
        RedisDirectory b = replica("b");
        await(a.renew("a:1", Duration.ofMillis(500)));
        await(b.renew("b:1", LEASE));
        await(a.openSession("c4", "token-1", "a-c4"));
        await(a.claimRoutes("a-c4", "c4", "token-1", route("held", "a", "c4", "token-1")));
        await(b.openSession("c5", "token-2", "b-c5"));
        assertEquals(1, await(b.claimRoutes("b-c5", "c5", "token-2", route("held", "b", "c5", "token-2"))), "a is alive");
        assertEquals(0, await(b.reap(Duration.ofHours(1))), "nobody dead yet");

        AtomicInteger reaped = new AtomicInteger();
        eventually(() -> reaped.addAndGet(Math.max(0, reapQuietly(b))) == 1);
        DirectorySnapshot after = await(b.snapshot());
        assertFalse(after.routes().containsKey("held"));
        assertFalse(after.sessions().containsKey("c4"));
        assertEquals(Map.of("b", "b:1"), after.members());
        assertEquals(0, await(b.claimRoutes("b-c5", "c5", "token-2", route("held", "b", "c5", "token-2"))));
        assertTrue(await(a.openSession("c4", "token-1", "a-c4")).granted(), "its memory stays for the id's owner");
        assertFalse(await(b.openSession("c4", "token-2", "b-c4")).granted());
    }

    private static int reapQuietly(RedisDirectory d) {
        try {
            return await(d.reap(Duration.ofHours(1)));
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void changesAreAnnouncedAndALostConnectionSubscribesAgain() throws Exception {
        try (RedisServer own = RedisServer.start()) {
            RedisDirectory a = replica("a", own.url());
            List<DirectoryEvent> events = new CopyOnWriteArrayList<>();
            AtomicInteger subscriptions = new AtomicInteger();
            DirectoryEvents listener = new DirectoryEvents(vertx, Redis.createClient(vertx, own.url()), a.channel(),
                    events::add, subscriptions::incrementAndGet);
            listener.start();
            eventually(() -> subscriptions.get() == 1);
            await(a.renew("a:1", LEASE));
            await(a.openSession("c6", "token-1", "a-c6"));
            await(a.claimRoutes("a-c6", "c6", "token-1", route("seen", "a", "c6", "token-1")));
            await(a.releaseRoutes("a-c6", List.of("seen")));
            eventually(() -> events.size() == 4);
            assertEquals(List.of(DirectoryEvent.Kind.MEMBER_ADDED, DirectoryEvent.Kind.SESSION_ADDED,
                    DirectoryEvent.Kind.ROUTE_ADDED, DirectoryEvent.Kind.ROUTE_REMOVED),
                    events.stream().map(DirectoryEvent::kind).toList());
            assertEquals("a", RedisDirectory.parse(events.get(2).detail(), RouteEntry.class).replica());

            own.kill();
            own.startAgain();
            eventually(() -> subscriptions.get() == 2);
            assertFalse(await(a.renew("a:1", LEASE)), "an emptied Redis has lost the lease");
            assertTrue(await(a.renew("a:1", LEASE)));
            listener.stop();
        }
    }

    @Test
    void theScriptsAndAnnouncementsWorkOnARedisCluster() throws Exception {
        try (RedisClusterServers nodes = new RedisClusterServers()) {
            RedisOptions options = new RedisOptions().setType(RedisClientType.CLUSTER);
            nodes.urls().forEach(options::addConnectionString);
            Redis client = Redis.createClient(vertx, options);
            RedisDirectory a = new RedisDirectory(vertx, client, prefix, "a", TIMEOUT,
                    new SimpleMeterRegistry().timer("latency"));
            List<DirectoryEvent> events = new CopyOnWriteArrayList<>();
            AtomicInteger subscriptions = new AtomicInteger();
            DirectoryEvents listener = new DirectoryEvents(vertx, client, a.channel(), events::add,
                    subscriptions::incrementAndGet);
            listener.start();
            eventually(() -> subscriptions.get() == 1);
            await(a.renew("a:1", LEASE));
            assertTrue(await(a.openSession("c9", "token-1", "a-c9")).granted());
            assertEquals(0, await(a.claimRoutes("a-c9", "c9", "token-1", route("clustered", "a", "c9", "token-1"))));
            assertEquals("a", await(a.snapshot()).routes().get("clustered").replica());
            eventually(() -> events.size() == 3);
            listener.stop();
        }
    }

    @Test
    void aRedisThatDoesNotAnswerFailsTheCallWithinTheTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {
            RedisDirectory a = replica("a", "redis://127.0.0.1:" + silent.getLocalPort());
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(a.openSession("c7", "token-1", "a-c7")));
            assertInstanceOf(java.util.concurrent.TimeoutException.class, e.getCause());
        }
    }

    @Test
    void scriptsAreSentAgainAfterRedisForgotThem() throws Exception {
        RedisDirectory a = replica("a");
        await(a.renew("a:1", LEASE));
        Redis raw = Redis.createClient(vertx, server.url());
        await(raw.send(Request.cmd(Command.SCRIPT).arg("FLUSH")));
        assertTrue(await(a.renew("a:1", LEASE)));
    }
}

package io.tunneld.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The cluster directory in Redis, as this replica uses it: sessions, routes (HTTP(S) hosts and
 * TCP ports), what each ClientId held before, and the replicas' leases. Every change is one
 * atomic script (see {@link DirectoryScripts}). Each call fails within the configured timeout
 * rather than hang when Redis does not answer.
 */
final class RedisDirectory {

    /** Random hosts and TCP ports remembered per ClientId. */
    static final int REMEMBERED = 32;

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Readers made (and their deserializers built) when this class loads, at start: built on
     * first use instead, on an event loop, they took seconds on a loaded machine.
     */
    private static final Map<Class<?>, ObjectReader> READERS = Map.of(
            RouteEntry.class, JSON.readerFor(RouteEntry.class),
            SessionEntry.class, JSON.readerFor(SessionEntry.class));

    private final Vertx vertx;
    private final Redis redis;
    private final String prefix;
    private final String replica;
    private final long timeoutMillis;
    private final Timer latency;

    /**
     * @param prefix  key prefix, hash tag included, e.g. {@code {tunneld}}
     * @param replica this replica's id
     * @param latency records every call's round trip
     */
    RedisDirectory(Vertx vertx, Redis redis, String prefix, String replica, Duration timeout, Timer latency) {
        this.vertx = vertx;
        this.redis = redis;
        this.prefix = prefix;
        this.replica = replica;
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.latency = latency;
    }

    /** This replica's id. */
    String replica() {
        return replica;
    }

    /** The pub/sub channel every change is announced on. */
    String channel() {
        return prefix + ":events";
    }

    /**
     * Opens (or takes over) the session {@code clientId} for {@code principal} on this replica,
     * as session {@code instance}.
     */
    Future<SessionClaim> openSession(String clientId, String principal, String instance) {
        return script(DirectoryScripts.OPEN_SESSION, clientId, principal, replica, instance).map(r -> {
            if (!"ok".equals(r.get(0).toString())) {
                return SessionClaim.TAKEN;
            }
            List<Integer> ports = words(r.get(2).toString()).stream().map(Integer::valueOf).toList();
            return new SessionClaim(true, words(r.get(1).toString()), ports);
        });
    }

    /** Ends session {@code instance} of {@code clientId}; what it held is remembered for {@code memory}. */
    Future<Void> closeSession(String clientId, String instance, Duration memory) {
        return script(DirectoryScripts.CLOSE_SESSION, clientId, instance, millis(memory)).mapEmpty();
    }

    /**
     * Claims {@code routes} (route key to entry) for the session, all or none: 0 when granted,
     * the 1-based index of the first one held by someone else, or -1 when session
     * {@code instance} no longer has the id.
     */
    Future<Integer> claimRoutes(String instance, String clientId, String principal, Map<String, RouteEntry> routes) {
        List<String> args = new ArrayList<>(List.of(instance, clientId, principal));
        routes.forEach((key, entry) -> {
            args.add(key);
            args.add(json(entry));
        });
        return script(DirectoryScripts.CLAIM_ROUTES, args).map(Response::toInteger);
    }

    /** Frees the routes session {@code instance} still holds. */
    Future<Void> releaseRoutes(String instance, Collection<String> keys) {
        List<String> args = new ArrayList<>(List.of(instance));
        args.addAll(keys);
        return script(DirectoryScripts.RELEASE_ROUTES, args).mapEmpty();
    }

    /** Remembers a random host the id held. */
    Future<Void> rememberHost(String clientId, String principal, String host) {
        return script(DirectoryScripts.REMEMBER, clientId, principal, "h", host, String.valueOf(REMEMBERED)).mapEmpty();
    }

    /** Remembers a TCP port the id held. */
    Future<Void> rememberPort(String clientId, String principal, int port) {
        return script(DirectoryScripts.REMEMBER, clientId, principal, "t", String.valueOf(port),
                String.valueOf(REMEMBERED)).mapEmpty();
    }

    /** Renews this replica's lease; false when it had lapsed or Redis had lost it. */
    Future<Boolean> renew(String address, Duration lease) {
        return script(DirectoryScripts.RENEW, replica, address, millis(lease)).map(r -> r.toInteger() == 1);
    }

    /** Forgets replicas whose lease lapsed; returns how many. */
    Future<Integer> reap(Duration memory) {
        return script(DirectoryScripts.REAP, millis(memory)).map(Response::toInteger);
    }

    /** Drops this replica's lease at once (a graceful stop), then forgets what it held. */
    Future<Void> leave(Duration memory) {
        return script(DirectoryScripts.LEAVE, replica).compose(v -> reap(memory)).mapEmpty();
    }

    /** The replica holding session {@code clientId}, if any. */
    Future<Optional<SessionEntry>> session(String clientId) {
        return send(Request.cmd(Command.HGET).arg(prefix + ":sessions").arg(clientId))
                .map(r -> Optional.ofNullable(r).map(v -> parse(v.toString(), SessionEntry.class)));
    }

    /** The entry of route {@code key}, if any. */
    Future<Optional<RouteEntry>> route(String key) {
        return send(Request.cmd(Command.HGET).arg(prefix + ":routes").arg(key))
                .map(r -> Optional.ofNullable(r).map(v -> parse(v.toString(), RouteEntry.class)));
    }

    /** The whole directory. */
    Future<DirectorySnapshot> snapshot() {
        Future<Response> routes = send(Request.cmd(Command.HGETALL).arg(prefix + ":routes"));
        Future<Response> sessions = send(Request.cmd(Command.HGETALL).arg(prefix + ":sessions"));
        Future<Response> members = send(Request.cmd(Command.SMEMBERS).arg(prefix + ":members"));
        return Future.all(routes, sessions, members).compose(v -> addresses(members.result())).map(addresses ->
                new DirectorySnapshot(entries(routes.result(), RouteEntry.class),
                        entries(sessions.result(), SessionEntry.class), addresses));
    }

    private Future<Map<String, String>> addresses(Response members) {
        List<String> ids = new ArrayList<>();
        members.forEach(m -> ids.add(m.toString()));
        if (ids.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        Request mget = Request.cmd(Command.MGET);
        ids.forEach(id -> mget.arg(prefix + ":replica:" + id));
        return send(mget).map(values -> {
            Map<String, String> live = new HashMap<>();
            for (int i = 0; i < ids.size(); i++) {
                if (values.get(i) != null) {
                    live.put(ids.get(i), values.get(i).toString());
                }
            }
            return live;
        });
    }

    private static <T> Map<String, T> entries(Response hash, Class<T> type) {
        Map<String, T> map = new LinkedHashMap<>();
        for (String key : hash.getKeys()) {
            map.put(key, parse(hash.get(key).toString(), type));
        }
        return map;
    }

    private Future<Response> script(RedisScript script, String... args) {
        return script(script, Arrays.asList(args));
    }

    private Future<Response> script(RedisScript script, List<String> args) {
        return timed(() -> script.run(redis, List.of(prefix), args));
    }

    private Future<Response> send(Request request) {
        return timed(() -> redis.send(request));
    }

    /** Records the round trip, and fails the call if Redis has not answered within the timeout. */
    private <T> Future<T> timed(Supplier<Future<T>> call) {
        long start = System.nanoTime();
        Promise<T> promise = Promise.promise();
        long timer = vertx.setTimer(timeoutMillis, t -> promise.tryFail(
                new TimeoutException("Redis did not answer within " + timeoutMillis + " ms")));
        call.get().onComplete(ar -> {
            vertx.cancelTimer(timer);
            latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            if (ar.succeeded()) {
                promise.tryComplete(ar.result());
            } else {
                promise.tryFail(ar.cause());
            }
        });
        return promise.future();
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> T parse(String json, Class<T> type) {
        try {
            return READERS.get(type).readValue(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable directory entry: " + e.getOriginalMessage());
        }
    }

    private static List<String> words(String s) {
        return s.isBlank() ? List.of() : List.of(s.trim().split(" +"));
    }

    private static String millis(Duration d) {
        return String.valueOf(Math.max(1, d.toMillis()));
    }
}

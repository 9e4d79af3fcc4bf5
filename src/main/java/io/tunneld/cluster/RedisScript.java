package io.tunneld.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}), sent whole ({@code EVAL}) only when Redis
 * does not know it yet: the first time, and after a restart emptied its script cache.
 */
final class RedisScript {

    private final String source;
    private final String sha1;

    RedisScript(String source) {
        this.source = source;
        try {
            this.sha1 = HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the script with {@code keys} and {@code args}. */
    Future<Response> run(Redis redis, List<String> keys, List<String> args) {
        return redis.send(request(Command.EVALSHA, sha1, keys, args)).recover(e -> {
            if (e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT")) {
                return redis.send(request(Command.EVAL, source, keys, args));
            }
            return Future.failedFuture(e);
        });
    }

    private static Request request(Command command, String script, List<String> keys, List<String> args) {
        Request request = Request.cmd(command).arg(script).arg(keys.size());
        keys.forEach(request::arg);
        args.forEach(request::arg);
        return request;
    }
}

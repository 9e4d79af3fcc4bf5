package io.tunneld.cluster;

import org.jboss.logging.Logger;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

/**
 * Listens to the directory's channel on a Redis connection of its own, and subscribes again
 * whenever that connection is lost (with a growing pause, up to a few seconds). Announcements
 * sent while it was not subscribed are lost, so every (re)subscription is reported: the owner
 * then reads the whole directory again.
 */
final class DirectoryEvents {

    private static final Logger LOG = Logger.getLogger(DirectoryEvents.class);
    private static final long FIRST_PAUSE_MILLIS = 250;
    private static final long MAX_PAUSE_MILLIS = 4_000;

    private final Vertx vertx;
    private final Redis redis;
    private final String channel;
    private final Handler<DirectoryEvent> onEvent;
    private final Runnable onSubscribed;
    private RedisConnection connection;
    private long pauseMillis = FIRST_PAUSE_MILLIS;
    private volatile boolean subscribed;
    private boolean stopped;

    /**
     * @param onEvent      each announcement, in the order Redis sent them
     * @param onSubscribed after each successful (re)subscription
     */
    DirectoryEvents(Vertx vertx, Redis redis, String channel, Handler<DirectoryEvent> onEvent, Runnable onSubscribed) {
        this.vertx = vertx;
        this.redis = redis;
        this.channel = channel;
        this.onEvent = onEvent;
        this.onSubscribed = onSubscribed;
    }

    /** Whether announcements are coming in now. */
    boolean subscribed() {
        return subscribed;
    }

    synchronized void start() {
        if (stopped) {
            return;
        }
        redis.connect().onSuccess(this::subscribe).onFailure(this::retry);
    }

    synchronized void stop() {
        stopped = true;
        subscribed = false;
        if (connection != null) {
            connection.close();
        }
    }

    private synchronized void subscribe(RedisConnection c) {
        if (stopped) {
            c.close();
            return;
        }
        connection = c;
        c.handler(this::onPush);
        c.exceptionHandler(this::lost);
        c.endHandler(v -> lost(null));
        c.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).onFailure(this::lost);
    }

    private void onPush(Response push) {
        if (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI || push.size() < 3) {
            return;
        }
        String kind = push.get(0).toString();
        if ("subscribe".equals(kind)) {
            synchronized (this) {
                pauseMillis = FIRST_PAUSE_MILLIS;
            }
            subscribed = true;
            onSubscribed.run();
        } else if ("message".equals(kind)) {
            DirectoryEvent.parse(push.get(2).toString()).ifPresent(onEvent::handle);
        }
    }

    private synchronized void lost(Throwable cause) {
        boolean was = subscribed;
        subscribed = false;
        RedisConnection c = connection;
        connection = null;
        if (c == null) {
            return;
        }
        c.close();
        if (was) {
            LOG.warnf("cluster: lost the directory's announcements (%s); subscribing again",
                    cause == null ? "connection closed" : cause.getMessage());
        }
        retry(cause);
    }

    private synchronized void retry(Throwable cause) {
        if (stopped) {
            return;
        }
        long pause = pauseMillis;
        pauseMillis = Math.min(MAX_PAUSE_MILLIS, pauseMillis * 2);
        vertx.setTimer(pause, t -> start());
    }
}

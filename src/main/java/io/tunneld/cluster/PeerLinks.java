package io.tunneld.cluster;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;

/** This replica's message links, one per other replica, made when first used. */
final class PeerLinks {

    private final Vertx vertx;
    private final NetClient client;
    private final String self;
    private final ClusterSecret secret;
    private final Function<String, String> addressOf;
    private final Map<String, PeerLink> links = new ConcurrentHashMap<>();

    /** @param addressOf a replica's current {@code host:port}, or null if unknown */
    PeerLinks(Vertx vertx, NetClient client, String self, ClusterSecret secret, Function<String, String> addressOf) {
        this.vertx = vertx;
        this.client = client;
        this.self = self;
        this.secret = secret;
        this.addressOf = addressOf;
    }

    /** Sends {@code message} to replica {@code replica}. */
    void send(String replica, PeerFrame message) {
        links.computeIfAbsent(replica, r -> new PeerLink(vertx, client, self, r, () -> addressOf.apply(r), secret))
                .send(message);
    }

    /** Closes the link to a replica that left. */
    void close(String replica) {
        PeerLink link = links.remove(replica);
        if (link != null) {
            link.close();
        }
    }

    /** Closes every link. */
    void closeAll() {
        links.keySet().forEach(this::close);
    }
}

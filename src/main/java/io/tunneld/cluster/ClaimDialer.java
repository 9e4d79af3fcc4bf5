package io.tunneld.cluster;

import io.tunneld.protocol.StartProxy;
import io.tunneld.tunnel.ProxyConnection;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

/**
 * Claims a proxy connection parked on another replica, for one public connection: connects
 * to that replica's forward port, presents the handle with the URL and public address the
 * client is to be told, and waits for the answer. The one extra hop a forwarded connection
 * costs is this connection.
 */
final class ClaimDialer {

    private final Vertx vertx;
    private final NetClient client;
    private final String self;
    private final long timeoutMillis;

    ClaimDialer(Vertx vertx, NetClient client, String self, long timeoutMillis) {
        this.vertx = vertx;
        this.client = client;
        this.self = self;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Connects to {@code address} ({@code host:port}) and claims {@code handle}. Fails if the
     * proxy is gone (its client closed it, or another claim took it) or the replica does not
     * answer in time. Call it on the public connection's context: the new connection then
     * lives on the same event loop, and the answer, the bytes after it and the join that
     * follows happen in order on that one thread.
     */
    Future<ProxyConnection> claim(String address, String handle, StartProxy start) {
        int colon = address.lastIndexOf(':');
        Promise<ProxyConnection> result = Promise.promise();
        long timer = vertx.setTimer(timeoutMillis, t -> result.tryFail(
                "replica at " + address + " did not answer a claim within " + timeoutMillis + " ms"));
        result.future().onComplete(ar -> vertx.cancelTimer(timer));
        client.connect(Integer.parseInt(address.substring(colon + 1)), address.substring(0, colon))
                .onFailure(result::tryFail)
                .onSuccess(socket -> {
                    if (result.future().isComplete()) {
                        socket.close();
                        return;
                    }
                    awaitAnswer(socket, result);
                    socket.write(PeerFrame.openClaim(self, handle, start.url(), start.clientAddr()).encode());
                });
        return result.future();
    }

    private static void awaitAnswer(NetSocket socket, Promise<ProxyConnection> result) {
        PeerFrameReader[] reader = new PeerFrameReader[1];
        reader[0] = new PeerFrameReader(frame -> {
            if ("status".equals(frame.type()) && Boolean.TRUE.equals(frame.ok())) {
                reader[0].detach();
                if (!result.tryComplete(new ProxyConnection(socket, true, reader[0].rest()))) {
                    socket.close();
                }
            } else {
                result.tryFail("claim refused: " + frame.reason());
                socket.close();
            }
        }, why -> {
            result.tryFail("claim answered with " + why);
            socket.close();
        });
        socket.handler(reader[0]);
        socket.closeHandler(v -> result.tryFail("claim connection closed before its answer"));
        socket.exceptionHandler(e -> result.tryFail("claim connection failed: " + e.getMessage()));
        result.future().onFailure(e -> socket.close());
    }
}

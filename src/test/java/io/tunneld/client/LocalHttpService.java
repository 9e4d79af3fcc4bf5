package io.tunneld.client;

import static io.tunneld.testsupport.EventLoops.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/** A real local web service on a loopback port: answers every request with its method and path. */
final class LocalHttpService implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;

    LocalHttpService() throws Exception {
        server = await(vertx.createHttpServer()
                .requestHandler(req -> req.body().onSuccess(body -> req.response()
                        .putHeader("Content-Type", "text/plain")
                        .end("local " + req.method() + " " + req.path() + " " + body.length())))
                .listen(0, "127.0.0.1"));
    }

    int port() {
        return server.actualPort();
    }

    @Override
    public void close() throws Exception {
        await(vertx.close());
    }
}

package io.tunneld.client.inspect;

import static io.tunneld.testsupport.EventLoops.await;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * A real local web service on a loopback port that remembers every request it received
 * ({@code METHOD path body}) and answers with the same line, chunked for paths under
 * {@code /chunked}.
 */
final class RecordingService implements AutoCloseable {

    final List<String> received = new CopyOnWriteArrayList<>();
    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;

    RecordingService() throws Exception {
        server = await(vertx.createHttpServer()
                .requestHandler(req -> req.body().onSuccess(body -> {
                    String line = req.method() + " " + req.uri() + " " + body;
                    received.add(line);
                    req.response().putHeader("Content-Type", "text/plain; charset=utf-8")
                            .putHeader("X-Local", "yes");
                    if (req.path().startsWith("/chunked")) {
                        req.response().setChunked(true).write("local ");
                        req.response().end(line);
                    } else {
                        req.response().end("local " + line);
                    }
                }))
                .listen(0, "127.0.0.1"));
    }

    int port() {
        return server.actualPort();
    }

    long count(String line) {
        return received.stream().filter(line::equals).count();
    }

    @Override
    public void close() throws Exception {
        await(vertx.close());
    }
}

package io.tunneld.client;

import static io.tunneld.testsupport.EventLoops.await;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.tunneld.testsupport.PemFiles;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;

/**
 * A real HTTP CONNECT proxy on a loopback port: reads the request head, connects where it
 * says, answers 200 and relays both ways. Keeps each request head, so a test sees what the
 * client sent.
 */
final class ConnectProxy implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final NetServer server;
    final List<String> heads = new CopyOnWriteArrayList<>();

    ConnectProxy() throws Exception {
        this(new NetServerOptions());
    }

    /** An https proxy: TLS with this certificate, then CONNECT inside it. */
    ConnectProxy(PemFiles tls) throws Exception {
        this(new NetServerOptions().setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.cert().toString()).setKeyPath(tls.key().toString())));
    }

    private ConnectProxy(NetServerOptions options) throws Exception {
        server = await(vertx.createNetServer(options).connectHandler(this::serve).listen(0, "127.0.0.1"));
    }

    int port() {
        return server.actualPort();
    }

    private void serve(NetSocket in) {
        Buffer head = Buffer.buffer();
        in.handler(b -> {
            head.appendBuffer(b);
            String text = head.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                return;
            }
            in.pause();
            heads.add(text.substring(0, end));
            String target = text.substring("CONNECT ".length(), text.indexOf(' ', "CONNECT ".length()));
            int colon = target.lastIndexOf(':');
            vertx.createNetClient().connect(Integer.parseInt(target.substring(colon + 1)), target.substring(0, colon))
                    .onSuccess(out -> {
                        in.write(Buffer.buffer("HTTP/1.1 200 Connection established\r\n\r\n"));
                        Buffer early = head.getBuffer(end + 4, head.length());
                        if (early.length() > 0) {
                            out.write(early);
                        }
                        in.pipeTo(out);
                        out.pipeTo(in);
                    })
                    .onFailure(e -> in.end(Buffer.buffer("HTTP/1.1 502 Bad Gateway\r\n\r\n")));
        });
    }

    @Override
    public void close() throws Exception {
        await(vertx.close());
    }
}

package io.tunneld.client.inspect;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.tunneld.client.config.Addresses;
import io.tunneld.client.observe.OpenTunnel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The local inspection page at {@code inspect_addr}, as 1.x's web view: the page itself
 * (static files from the classpath, read once at start) and the JSON it reads:
 * <ul>
 * <li>{@code GET /api/exchanges[?since=VERSION]}: the exchanges kept, summarized, unless none
 * changed since VERSION;</li>
 * <li>{@code GET /api/exchanges/ID}: one exchange, headers and bodies;</li>
 * <li>{@code POST /api/exchanges/ID/replay}: sends its request again to the local service;</li>
 * <li>{@code GET /api/tunnels}: the tunnels open.</li>
 * </ul>
 * Nothing of what it shows is logged. Bound to loopback (the default), it answers only
 * requests that name a loopback host (no DNS rebinding), and a replay needs a header a
 * cross-site form cannot send.
 */
public final class InspectServer {

    /** Where the page's files are on the classpath: the client's own, never the server's. */
    static final String PAGE = "io/tunneld/client/inspect/page/";
    /** The header the page sends with a replay; browsers do not let other sites send it. */
    static final String REPLAY_HEADER = "X-Tunneld-Inspect";

    private static final Map<String, String> FILES = Map.of(
            "/", "index.html", "/index.html", "index.html", "/app.js", "app.js", "/style.css", "style.css");

    private final Exchanges exchanges;
    private final Replayer replayer;
    private final Supplier<List<OpenTunnel>> tunnels;
    private final boolean loopbackOnly;
    private final Map<String, Buffer> files;
    private HttpServer server;

    private InspectServer(Exchanges exchanges, Replayer replayer, Supplier<List<OpenTunnel>> tunnels,
            boolean loopbackOnly) {
        this.exchanges = exchanges;
        this.replayer = replayer;
        this.tunnels = tunnels;
        this.loopbackOnly = loopbackOnly;
        this.files = Map.of("index.html", read("index.html"), "app.js", read("app.js"), "style.css",
                read("style.css"));
    }

    /**
     * Starts the page at {@code address} ({@code host:port}, normalized) on the client's Vert.x.
     * Reads the page's files from the classpath first: call it from a thread that may block.
     */
    public static Future<InspectServer> listen(Vertx vertx, String address, Exchanges exchanges, Replayer replayer,
            Supplier<List<OpenTunnel>> tunnels) {
        String host = Addresses.host(address);
        InspectServer s = new InspectServer(exchanges, replayer, tunnels, isLoopback(host));
        return vertx.createHttpServer(new HttpServerOptions().setCompressionSupported(true))
                .requestHandler(s::handle)
                .listen(Addresses.port(address), host)
                .map(server -> {
                    s.server = server;
                    return s;
                });
    }

    /** The port it listens on (the one asked for, or the one chosen for port 0). */
    public int port() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest req) {
        if (loopbackOnly && !loopbackHost(req.authority() == null ? "" : req.authority().host())) {
            answer(req, 403, "text/plain; charset=utf-8", Buffer.buffer("Only local pages may read this page.\n"));
            return;
        }
        String path = req.path();
        String file = FILES.get(path);
        if (file != null && req.method() == HttpMethod.GET) {
            String type = file.endsWith(".html") ? "text/html" : file.endsWith(".js") ? "text/javascript" : "text/css";
            answer(req, 200, type + "; charset=utf-8", files.get(file));
        } else if (path.equals("/api/exchanges") && req.method() == HttpMethod.GET) {
            list(req);
        } else if (path.equals("/api/tunnels") && req.method() == HttpMethod.GET) {
            json(req, 200, new JsonObject().put("tunnels", ExchangeJson.tunnels(tunnels.get())));
        } else if (path.startsWith("/api/exchanges/") && path.endsWith("/replay") && req.method() == HttpMethod.POST) {
            replay(req, id(path.substring("/api/exchanges/".length(), path.length() - "/replay".length())));
        } else if (path.startsWith("/api/exchanges/") && req.method() == HttpMethod.GET) {
            Exchange e = exchanges.get(id(path.substring("/api/exchanges/".length())));
            if (e == null) {
                error(req, 404, "No such exchange: it may have been forgotten (the page keeps the last "
                        + Exchanges.DEFAULT_CAPACITY + ")");
            } else {
                json(req, 200, ExchangeJson.full(e));
            }
        } else {
            error(req, 404, "Not found");
        }
    }

    private void list(HttpServerRequest req) {
        long since;
        try {
            since = Long.parseLong(req.getParam("since", "-1"));
        } catch (NumberFormatException e) {
            since = -1;
        }
        if (since == exchanges.version()) {
            json(req, 200, new JsonObject().put("version", since));
            return;
        }
        Exchanges.Snapshot s = exchanges.snapshot();
        JsonArray list = new JsonArray();
        for (Exchange e : s.exchanges()) {
            list.add(ExchangeJson.summary(e));
        }
        json(req, 200, new JsonObject().put("version", s.version()).put("exchanges", list));
    }

    private void replay(HttpServerRequest req, long id) {
        if (req.getHeader(REPLAY_HEADER) == null) {
            error(req, 403, "A replay must come from the inspection page");
            return;
        }
        Exchange e = exchanges.get(id);
        if (e == null) {
            error(req, 404, "No such exchange: it may have been forgotten");
            return;
        }
        replayer.replay(e).onComplete(ar -> {
            if (ar.succeeded()) {
                json(req, 202, new JsonObject().put("id", ar.result()));
            } else {
                error(req, ar.cause() instanceof Replayer.ReplayException r ? r.status() : 500, ar.cause().getMessage());
            }
        });
    }

    private static long id(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void error(HttpServerRequest req, int status, String message) {
        json(req, status, new JsonObject().put("error", message));
    }

    private static void json(HttpServerRequest req, int status, JsonObject body) {
        answer(req, status, "application/json", body.toBuffer());
    }

    private static void answer(HttpServerRequest req, int status, String type, Buffer body) {
        req.response().setStatusCode(status)
                .putHeader("Content-Type", type)
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Content-Type-Options", "nosniff")
                .end(body);
    }

    private static boolean loopbackHost(String host) {
        return host.equals("localhost") || host.endsWith(".localhost") || isLoopback(host);
    }

    /** True for a loopback IP literal (or "localhost"); never resolves a name. */
    private static boolean isLoopback(String host) {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (h.equals("localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
            return false;
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static Buffer read(String file) {
        try (InputStream in = InspectServer.class.getClassLoader().getResourceAsStream(PAGE + file)) {
            if (in == null) {
                throw new IllegalStateException("the inspection page's " + file + " is missing from the classpath");
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

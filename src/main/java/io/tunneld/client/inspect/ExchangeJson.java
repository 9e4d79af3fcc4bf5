package io.tunneld.client.inspect;

import java.util.Base64;
import java.util.List;

import io.tunneld.client.observe.OpenTunnel;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The inspection page's JSON: a summary per exchange for the list, everything for one. */
final class ExchangeJson {

    private ExchangeJson() {
    }

    static JsonObject summary(Exchange e) {
        JsonObject j = new JsonObject()
                .put("id", e.id())
                .put("start", e.startMillis())
                .put("tunnel", e.tunnel().publicUrl())
                .put("method", e.request().method())
                .put("uri", e.request().uri())
                .put("durationMs", e.durationNanos() < 0 ? null : e.durationNanos() / 1_000_000.0);
        if (e.response() != null) {
            j.put("status", e.response().status());
        }
        if (e.replayOf() >= 0) {
            j.put("replayOf", e.replayOf());
        }
        if (e.failure() != null) {
            j.put("failure", e.failure());
        }
        return j;
    }

    static JsonObject full(Exchange e) {
        JsonObject j = summary(e)
                .put("clientAddr", e.clientAddr())
                .put("localAddress", e.tunnel().localAddress())
                .put("request", new JsonObject()
                        .put("method", e.request().method())
                        .put("uri", e.request().uri())
                        .put("version", e.request().version())
                        .put("headers", headers(e.request().headers()))
                        .put("body", body(e.request().body())));
        if (e.response() != null) {
            j.put("response", new JsonObject()
                    .put("version", e.response().version())
                    .put("status", e.response().status())
                    .put("reason", e.response().reason())
                    .put("headers", headers(e.response().headers()))
                    .put("body", body(e.response().body())));
        }
        return j;
    }

    static JsonArray tunnels(List<OpenTunnel> tunnels) {
        JsonArray a = new JsonArray();
        for (OpenTunnel t : tunnels) {
            a.add(new JsonObject().put("name", t.name()).put("url", t.publicUrl()).put("protocol", t.protocol())
                    .put("localAddress", t.localAddress()));
        }
        return a;
    }

    private static JsonArray headers(List<Header> headers) {
        JsonArray a = new JsonArray();
        for (Header h : headers) {
            a.add(new JsonArray().add(h.name()).add(h.value()));
        }
        return a;
    }

    private static JsonObject body(Body b) {
        JsonObject j = new JsonObject().put("size", b.size()).put("kept", b.kept().length);
        String text = b.text();
        if (text != null) {
            j.put("text", text);
        } else {
            j.put("base64", Base64.getEncoder().encodeToString(b.kept()));
        }
        return j;
    }
}

package io.tunneld.http;

import java.nio.charset.StandardCharsets;

import io.vertx.core.buffer.Buffer;

/**
 * The few answers tunneld writes itself on public HTTP(S), with the status lines and bodies
 * ngrokd 1.x uses (but proper CRLF line ends), then closes the connection.
 */
final class HttpAnswers {

    private HttpAnswers() {
    }

    static Buffer badRequest() {
        return answer("400 Bad Request", "", "Bad Request\n");
    }

    static Buffer notFound(String host) {
        return answer("404 Not Found", "", "Tunnel " + host + " not found\n");
    }

    static Buffer unauthorized() {
        return answer("401 Not Authorized", "WWW-Authenticate: Basic realm=\"ngrok\"\r\n", "Authorization required\n");
    }

    static Buffer requestTimeout() {
        return answer("408 Request Timeout", "", "Request Timeout\n");
    }

    static Buffer headTooLarge() {
        return answer("431 Request Header Fields Too Large", "", "Request Header Fields Too Large\n");
    }

    static Buffer badGateway(String url) {
        return answer("502 Bad Gateway", "", "Tunnel " + url + " is not answering: its client sent no connection in time\n");
    }

    static Buffer busy(String url) {
        return answer("503 Service Unavailable", "",
                "Tunnel " + url + " has too many connections waiting for its client: try again later\n");
    }

    private static Buffer answer(String status, String extraHeaders, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return Buffer.buffer("HTTP/1.0 " + status + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + bytes.length + "\r\n"
                + "Connection: close\r\n"
                + extraHeaders
                + "\r\n").appendBytes(bytes);
    }
}

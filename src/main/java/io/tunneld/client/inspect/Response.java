package io.tunneld.client.inspect;

import java.util.List;

/** A recorded HTTP response: its status line, headers and body. */
public record Response(String version, int status, String reason, List<Header> headers, Body body) {

    public Response {
        headers = List.copyOf(headers);
    }
}

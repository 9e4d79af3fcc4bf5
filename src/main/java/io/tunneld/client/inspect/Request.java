package io.tunneld.client.inspect;

import java.util.List;

/** A recorded HTTP request: its request line, headers and body. */
public record Request(String method, String uri, String version, List<Header> headers, Body body) {

    public Request {
        headers = List.copyOf(headers);
    }
}

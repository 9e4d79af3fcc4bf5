package io.tunneld.client.inspect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.netty.handler.codec.http.HttpHeaders;

/** One header line, as it was sent (names keep their case, repeated names their order). */
public record Header(String name, String value) {

    static List<Header> of(HttpHeaders headers) {
        List<Header> list = new ArrayList<>(headers.size());
        for (Map.Entry<String, String> h : headers) {
            list.add(new Header(h.getKey(), h.getValue()));
        }
        return List.copyOf(list);
    }
}

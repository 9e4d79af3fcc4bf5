package io.tunneld.client.inspect;

import io.tunneld.client.observe.OpenTunnel;

/**
 * One HTTP request and its response as they went through a tunnel (or a replay), recorded
 * when the request was whole and again when the response was.
 *
 * @param id            the exchange's number, in the order requests arrived
 * @param tunnel        the tunnel it came through
 * @param clientAddr    the public peer's address, as the server reported it ("replay" for a replay)
 * @param startMillis   when the request's head arrived (epoch milliseconds)
 * @param request       the request
 * @param response      the response, or {@code null} while there is none
 * @param durationNanos from the request's head to the response's end, or -1 while not ended
 * @param replayOf      the id of the exchange this one replays, or -1
 * @param failure       why the exchange ended without a whole response, or {@code null}
 */
public record Exchange(long id, OpenTunnel tunnel, String clientAddr, long startMillis, Request request,
        Response response, long durationNanos, long replayOf, String failure) {

    /** True once the response is whole or the exchange failed: it changes no more. */
    public boolean ended() {
        return durationNanos >= 0 || failure != null;
    }
}

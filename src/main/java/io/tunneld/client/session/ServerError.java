package io.tunneld.client.session;

/**
 * An {@code Error} the server sent, made fit for the client's one-line messages. ngrokd 1.7
 * passes some errors through its logger, so they start with its log prefixes, one of them the
 * full ClientId ({@code [ctl:1a2b3c] [<ClientId>] Error binding TCP listener: ...}): those are
 * dropped. The rest is kept whole up to a line's length, since ngrokd's texts end with what
 * matters (a URL, an address), and only printable ASCII is kept.
 */
final class ServerError {

    private static final int MAX = 200;

    private ServerError() {
    }

    static String text(String error) {
        String bare = error.replaceFirst("^(\\[[^\\]\\s]*\\] )+", "").strip();
        String cut = bare.length() > MAX ? bare.substring(0, MAX) + "..." : bare;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}

package io.tunneld.protocol;

/** Text a peer sent, made safe to repeat in a log line or an error message. */
public final class PeerText {

    private static final int MAX = 64;

    private PeerText() {
    }

    /** Printable ASCII only (anything else becomes '?'), cut to a short length. */
    public static String printable(String s) {
        String cut = s.length() > MAX ? s.substring(0, MAX) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}

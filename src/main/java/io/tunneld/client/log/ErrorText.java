package io.tunneld.client.log;

/** The innermost cause of a failure as one short line, for the client's one-line errors. */
public final class ErrorText {

    private ErrorText() {
    }

    public static Throwable root(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r;
    }

    /** The root cause's message, first line only, without Netty's native-call prefix. */
    public static String of(Throwable t) {
        Throwable r = root(t);
        String m = r.getMessage();
        if (m == null || m.isBlank()) {
            return r.getClass().getSimpleName();
        }
        // Netty's epoll transport says "finishConnect(..) failed with error(-111): Connection refused".
        return m.lines().findFirst().orElse(m).replaceFirst("^\\w+\\(\\.\\.\\) failed( with error\\(-?\\d+\\))?: ", "");
    }
}

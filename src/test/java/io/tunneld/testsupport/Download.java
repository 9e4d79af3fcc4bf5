package io.tunneld.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;

/** A visitor downloading from a {@link StreamServer} through a tunnel, at a modest pace. */
public final class Download {

    private Download() {
    }

    /**
     * Reads the answer on {@code s} (a request already sent): the head, then {@code size} body
     * bytes, each checked, with a short pause every half MiB so that the download lasts a
     * while; returns the body bytes read, or throws where it was cut or wrong.
     */
    public static long readChecked(Socket s, long size) throws IOException, InterruptedException {
        try (s) {
            readHead(s);
            return readBody(s, size);
        }
    }

    /** Reads the answer's head, up to the empty line, or throws where it was cut. */
    public static void readHead(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed in the head");
            }
            state = (b == '\r' || b == '\n') ? state + 1 : 0;
        }
    }

    /** Reads {@code size} body bytes (the head already read), each checked, at the same pace. */
    public static long readBody(Socket s, long size) throws IOException, InterruptedException {
        InputStream in = s.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        long got = 0;
        int reads = 0;
        while (got < size) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, size - got));
            if (n < 0) {
                throw new IOException("cut after " + got + " bytes");
            }
            for (int i = 0; i < n; i++) {
                if (buffer[i] != StreamServer.bodyByte(got + i)) {
                    throw new IOException("byte " + (got + i) + " wrong");
                }
            }
            got += n;
            if (++reads % 8 == 0) {
                Thread.sleep(30);
            }
        }
        return got;
    }
}

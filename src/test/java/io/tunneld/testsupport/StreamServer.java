package io.tunneld.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local HTTP service that answers any request with a body of a given size, counting what
 * it managed to write: with backpressure it cannot get far ahead of a reader that stops.
 */
public final class StreamServer extends LoopbackServer {

    private final long bodySize;
    private final long holdAfter;
    private final CountDownLatch held = new CountDownLatch(1);
    private final AtomicLong written = new AtomicLong();

    public StreamServer(long bodySize) throws IOException {
        this(bodySize, Long.MAX_VALUE);
    }

    /**
     * A service that writes {@code holdAfter} bytes of each body, then waits for
     * {@link #release()} before the rest: its connections stay open, whatever the buffers
     * between it and the reader can hold.
     */
    public StreamServer(long bodySize, long holdAfter) throws IOException {
        super("stream");
        this.bodySize = bodySize;
        this.holdAfter = holdAfter;
    }

    /** Lets every held body go on. */
    public void release() {
        held.countDown();
    }

    public long written() {
        return written.get();
    }

    /** The byte at position i of the body, so the reader can check every byte. */
    public static byte bodyByte(long i) {
        return (byte) (i * 31 + 7);
    }

    @Override
    void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            // Read the request head, whatever it is.
            int state = 0;
            while (state < 4) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                state = (b == '\r' || b == '\n') ? state + 1 : 0;
            }
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + bodySize + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            for (long sent = 0; sent < bodySize;) {
                if (sent >= holdAfter) {
                    out.flush();
                    held.await();
                }
                int n = (int) Math.min(chunk.length, bodySize - sent);
                for (int i = 0; i < n; i++) {
                    chunk[i] = bodyByte(sent + i);
                }
                out.write(chunk, 0, n);
                sent += n;
                written.set(sent);
            }
            out.flush();
        } catch (IOException ignored) {
            // reader went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.tunneld.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;

/**
 * A local service that sends one byte at a time with a pause before each, a number of times,
 * then keeps the connection open and says nothing more until the peer closes it.
 */
public final class DripServer extends LoopbackServer {

    private final Duration pause;
    private final int drops;

    public DripServer(Duration pause, int drops) throws IOException {
        super("drip");
        this.pause = pause;
        this.drops = drops;
    }

    @Override
    void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            for (int i = 0; i < drops; i++) {
                Thread.sleep(pause.toMillis());
                out.write(i);
                out.flush();
            }
            while (in.read() >= 0) {
                // silent until the peer goes
            }
        } catch (IOException | InterruptedException ignored) {
            // peer went away
        }
    }
}

package io.tunneld.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/** A local service that sends back every byte it receives. */
public final class EchoServer extends LoopbackServer {

    public EchoServer() throws IOException {
        super("echo");
    }

    @Override
    void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (IOException ignored) {
            // peer went away
        }
    }
}

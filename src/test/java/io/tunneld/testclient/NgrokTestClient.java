package io.tunneld.testclient;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A test-only ngrok 1.x client that behaves on the wire like the stock Go client 1.7: TLS control
 * connection, {@code Auth}, {@code ReqTunnel}, one new TLS proxy connection per {@code ReqProxy},
 * frames written as two TLS records (header, body) and read the way Go reads them (body in one read).
 * It can also misbehave on purpose: raw bytes, split frames, no auto proxies.
 *
 * <p>Blocking calls made by the test thread time out after {@link TlsDialer#timeout()} (10 s by
 * default). Background threads (control reader, proxies, heartbeat) are daemons and end when
 * {@link #close()} closes their sockets.
 */
public final class NgrokTestClient implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration JOIN_ON_CLOSE = Duration.ofSeconds(2);

    private final String host;
    private final int port;
    private final TlsDialer dialer;
    private final SSLSocket control;
    /** Pushback lets the reader tell an idle control (timeout before a frame) from a stalled frame. */
    private final PushbackInputStream controlIn;
    private final OutputStream controlOut;
    private final Object writeLock = new Object();
    private final FrameInbox inbox = new FrameInbox();
    private final Map<String, InetSocketAddress> forwards = new ConcurrentHashMap<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger reqProxies = new AtomicInteger();
    private final AtomicInteger openProxies = new AtomicInteger();
    private final AtomicBoolean readerStarted = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch controlDone = new CountDownLatch(1);
    private volatile String clientId = "";
    /** Where proxy connections go: the control's address unless told otherwise (a cluster's other replica). */
    private volatile String proxyHost;
    private volatile int proxyPort;
    private volatile boolean autoProxy = true;
    private volatile boolean goStyleWrites = true;
    private volatile boolean goStyleReads = true;
    private volatile IOException readerError;
    /** Whether the control connection ended by the server's doing: end of stream or a reset. */
    private volatile boolean closedByServer;
    private Thread heartbeat;

    private NgrokTestClient(String host, int port, TlsDialer dialer, SSLSocket control) throws IOException {
        this.host = host;
        this.port = port;
        this.proxyHost = host;
        this.proxyPort = port;
        this.dialer = dialer;
        this.control = control;
        this.controlIn = new PushbackInputStream(control.getInputStream(), 1);
        this.controlOut = control.getOutputStream();
    }

    /** Opens the TLS control connection (trust-all, SNI "localhost"); nothing is sent yet. */
    public static NgrokTestClient connect(String host, int tunnelPort) throws IOException {
        return connect(host, tunnelPort, TlsDialer.trustAll());
    }

    /** As {@link #connect(String, int)} with a caller-supplied SSLContext. */
    public static NgrokTestClient connect(String host, int tunnelPort, SSLContext context) throws IOException {
        return connect(host, tunnelPort, new TlsDialer(context, "localhost", TlsDialer.DEFAULT_TIMEOUT));
    }

    /** As {@link #connect(String, int)} with a fully configured dialer, used for proxies too. */
    public static NgrokTestClient connect(String host, int tunnelPort, TlsDialer dialer) throws IOException {
        return new NgrokTestClient(host, tunnelPort, dialer, dialer.dial(host, tunnelPort));
    }

    /** A fresh trust-all TLS connection to the tunnel port, handshake done, nothing sent. */
    public static SSLSocket openTls(String host, int port) throws IOException {
        return TlsDialer.trustAll().dial(host, port);
    }

    /** As {@link #openTls(String, int)} with a caller-supplied SSLContext. */
    public static SSLSocket openTls(String host, int port, SSLContext context) throws IOException {
        return new TlsDialer(context, "localhost", TlsDialer.DEFAULT_TIMEOUT).dial(host, port);
    }

    /**
     * Sends {@code Auth} as the Go client does and returns the reply frame. On an {@code AuthResp}
     * without {@code Error} it keeps the client id and starts the background reader.
     */
    public Frame auth(String token, String clientId) throws IOException {
        sendAuth(token, clientId);
        Frame reply = readerStarted.get() ? awaitOrFail("AuthResp") : readFrame(controlIn);
        if ("AuthResp".equals(reply.type()) && reply.str("Error").isEmpty()) {
            this.clientId = reply.str("ClientId");
            ensureReader();
        }
        return reply;
    }

    /** Sends {@code Auth} as the Go client does, and reads nothing. */
    public void sendAuth(String token, String clientId) throws IOException {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("Version", "2");
        payload.put("MmVersion", "1.7");
        payload.put("User", orEmpty(token));
        payload.put("Password", "");
        payload.put("OS", "linux");
        payload.put("Arch", "amd64");
        payload.put("ClientId", orEmpty(clientId));
        send("Auth", payload);
    }

    /** The id the server gave in {@code AuthResp}, {@code ""} before a successful auth. */
    public String clientId() {
        return clientId;
    }

    /**
     * Sends {@code ReqTunnel} with a random 16-hex {@code ReqId} and returns the {@code NewTunnel}
     * replies: one per protocol in {@code protocol} (split on "+"), or fewer if one carries an
     * {@code Error} (that one is last). NewTunnel frames are taken in arrival order, so do not run
     * two requests concurrently on one client.
     *
     * @throws SocketTimeoutException if the replies do not all arrive within the timeout
     */
    public List<Frame> reqTunnel(String protocol, String hostname, String subdomain, String httpAuth, int remotePort)
            throws IOException {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("ReqId", randomHex(8));
        payload.put("Protocol", orEmpty(protocol));
        payload.put("Hostname", orEmpty(hostname));
        payload.put("Subdomain", orEmpty(subdomain));
        payload.put("HttpAuth", orEmpty(httpAuth));
        payload.put("RemotePort", remotePort);
        send("ReqTunnel", payload);
        int expected = orEmpty(protocol).split("\\+", -1).length;
        List<Frame> replies = new ArrayList<>();
        while (replies.size() < expected) {
            Frame reply = awaitOrFail("NewTunnel");
            replies.add(reply);
            if (!reply.str("Error").isEmpty()) {
                break;
            }
        }
        return replies;
    }

    /** Routes proxy connections whose {@code StartProxy.Url} equals {@code url} to a local host:port. */
    public void forward(String url, String localHost, int localPort) {
        forwards.put(url, InetSocketAddress.createUnresolved(localHost, localPort));
    }

    /** Sends {@code Ping}. The client never answers a server's Ping, as 1.x does not. */
    public void ping() throws IOException {
        send("Ping", Map.of());
    }

    /** Sends one well-formed frame on the control connection (Go-style two writes unless disabled). */
    public void send(String type, Map<String, Object> payload) throws IOException {
        byte[] frame = WireFrames.encode(type, payload);
        synchronized (writeLock) {
            writeFrame(controlOut, frame);
        }
    }

    /** Writes the bytes as they are, in one write, on the control connection. */
    public void sendRaw(byte[] bytes) throws IOException {
        synchronized (writeLock) {
            controlOut.write(bytes);
            controlOut.flush();
        }
    }

    /** Writes the bytes in chunks (separate TLS records) with a pause between them: split-frame tests. */
    public void sendRawChunked(byte[] bytes, int chunkSize, Duration pause) throws IOException {
        synchronized (writeLock) {
            WireFrames.writeChunked(controlOut, bytes, chunkSize, pause);
        }
    }

    /**
     * Next frame of {@code type} received on the control connection (or a {@code StartProxy} received
     * on a proxy connection), in arrival order; frames of other types stay queued for their own callers.
     * Returns {@code null} on timeout, or as soon as the control connection has ended with none queued.
     */
    public Frame awaitFrame(String type, Duration timeout) throws InterruptedException {
        ensureReader();
        boolean fromProxies = "StartProxy".equals(type);
        return inbox.take(type, timeout, () -> !fromProxies && controlDone.getCount() == 0);
    }

    /** Every frame received so far, in arrival order, including those already taken by awaitFrame. */
    public List<Frame> received() {
        return inbox.all();
    }

    /** Number of {@code ReqProxy} frames received so far. */
    public int reqProxyCount() {
        return reqProxies.get();
    }

    /** Proxy connections that sent {@code RegProxy} and are not closed yet. */
    public int openProxies() {
        return openProxies.get();
    }

    /**
     * Waits until the server has closed or reset the control connection; false if it has not within
     * {@code timeout} or if this client closed it first. Starts the reader if needed.
     *
     * @throws AssertionError if the connection ended because this client could not read a frame or a
     *                        frame stalled (see {@link #readerError()}): the server did not close it then
     */
    public boolean awaitClosed(Duration timeout) {
        ensureReader();
        try {
            if (!controlDone.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (!closedByServer && readerError != null) {
            throw new AssertionError("the control connection ended on this client's side: " + readerError, readerError);
        }
        return closedByServer;
    }

    /** Why the control reader stopped, or {@code null} if it is running or saw a clean end of stream. */
    public IOException readerError() {
        return readerError;
    }

    /**
     * Opens proxy connections to {@code host:port} instead of the control connection's address,
     * as when a balancer sends them to another replica than the control.
     */
    public void setProxyTarget(String host, int port) {
        this.proxyHost = host;
        this.proxyPort = port;
    }

    /** When on (default), each {@code ReqProxy} opens one new proxy connection like the Go client. */
    public void setAutoProxy(boolean on) {
        autoProxy = on;
    }

    /** Default on: header and body in two writes, as Go does. Off: one write, as the Python clients do. */
    public void setGoStyleWrites(boolean on) {
        goStyleWrites = on;
    }

    /**
     * Default on: read each frame body with a single read like Go, so a server that splits a body
     * across TLS records breaks this client as it would break 1.x. Off: read bodies fully.
     */
    public void setGoStyleReads(boolean on) {
        goStyleReads = on;
    }

    /** Starts (or replaces) a background loop sending {@code Ping} every {@code every}; null or zero stops it. */
    public synchronized void setHeartbeat(Duration every) {
        if (heartbeat != null) {
            heartbeat.interrupt();
            heartbeat = null;
        }
        if (every == null || every.isZero() || every.isNegative() || closed.get()) {
            return;
        }
        long millis = every.toMillis();
        heartbeat = startDaemon("ngrok-heartbeat", () -> {
            try {
                while (!closed.get()) {
                    Thread.sleep(millis);
                    ping();
                }
            } catch (InterruptedException | IOException e) {
                // stopped, or the control connection is gone
            }
        });
    }

    /** Opens one proxy connection now, as if a {@code ReqProxy} had arrived (useful with auto proxy off). */
    public void openProxy() {
        startDaemon("ngrok-proxy", new ProxyConnection(this));
    }

    /** Closes the control connection and every proxy and local connection, then waits briefly for threads. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        setHeartbeat(null);
        closeQuietly(control);
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
        long deadline = System.nanoTime() + JOIN_ON_CLOSE.toNanos();
        for (Thread thread : threads) {
            long left = deadline - System.nanoTime();
            if (thread == Thread.currentThread() || left <= 0) {
                continue;
            }
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---- used by ProxyConnection ----

    SSLSocket dialTunnel() throws IOException {
        try {
            return dialer.dial(proxyHost, proxyPort, this::track);
        } catch (IOException e) {
            sockets.removeIf(Socket::isClosed);
            throw e;
        }
    }

    Socket dialLocal(InetSocketAddress target) throws IOException {
        Socket socket = new Socket();
        track(socket);
        try {
            socket.connect(new InetSocketAddress(target.getHostString(), target.getPort()),
                    (int) dialer.timeout().toMillis());
            socket.setTcpNoDelay(true);
            return socket;
        } catch (IOException e) {
            closeTracked(socket);
            throw e;
        }
    }

    void writeFrame(OutputStream out, byte[] frame) throws IOException {
        if (goStyleWrites) {
            WireFrames.writeGoStyle(out, frame);
        } else {
            out.write(frame);
            out.flush();
        }
    }

    Frame readFrame(InputStream in) throws IOException {
        return goStyleReads ? WireFrames.readGoStyle(in) : WireFrames.read(in);
    }

    InetSocketAddress forwardTarget(String url) {
        return forwards.get(url);
    }

    void proxyOpened() {
        openProxies.incrementAndGet();
    }

    void proxyClosed() {
        openProxies.decrementAndGet();
    }

    void proxyStarted(Frame startProxy) {
        inbox.add(startProxy);
    }

    void closeTracked(Socket socket) {
        if (socket != null) {
            closeQuietly(socket);
            sockets.remove(socket);
        }
    }

    Thread startDaemon(String name, Runnable task) {
        Thread thread = new Thread(() -> {
            try {
                task.run();
            } finally {
                threads.remove(Thread.currentThread());
            }
        }, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
        return thread;
    }

    // ---- internals ----

    /** Registers a socket for close(); one created after close() is closed at once, failing its connect. */
    private void track(Socket socket) {
        sockets.add(socket);
        if (closed.get()) {
            closeTracked(socket);
        }
    }

    private void ensureReader() {
        if (readerStarted.compareAndSet(false, true)) {
            startDaemon("ngrok-control-reader", this::readLoop);
        }
    }

    private void readLoop() {
        try {
            while (!closed.get()) {
                try {
                    int first = controlIn.read();
                    if (first < 0) {
                        closedByServer = !closed.get();
                        return;
                    }
                    controlIn.unread(first);
                } catch (SocketTimeoutException idle) {
                    // SO_TIMEOUT guards test-thread reads; between frames a quiet control is normal.
                    continue;
                }
                dispatch(readFrame(controlIn));
            }
        } catch (MalformedFrameException | SocketTimeoutException e) {
            // This client gave up on what the server sent (or on a frame that stalled): no close.
            if (!closed.get()) {
                readerError = e;
            }
        } catch (IOException e) {
            // A reset, or the end of the stream in the middle of a frame: the server ended it.
            if (!closed.get()) {
                readerError = e;
                closedByServer = true;
            }
        } finally {
            // Like 1.x, a control that fails to read is dropped.
            closeQuietly(control);
            controlDone.countDown();
        }
    }

    private void dispatch(Frame frame) {
        if ("ReqProxy".equals(frame.type())) {
            reqProxies.incrementAndGet();
            if (autoProxy) {
                openProxy();
            }
        }
        inbox.add(frame);
    }

    private Frame awaitOrFail(String type) throws IOException {
        try {
            Frame frame = awaitFrame(type, dialer.timeout());
            if (frame == null) {
                throw new SocketTimeoutException("no " + type + " within " + dialer.timeout()
                        + (controlDone.getCount() == 0 ? " (control connection ended: " + readerError + ")" : ""));
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for " + type);
        }
    }

    private static String randomHex(int bytes) {
        byte[] id = new byte[bytes];
        RANDOM.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // closing is best effort
        }
    }
}

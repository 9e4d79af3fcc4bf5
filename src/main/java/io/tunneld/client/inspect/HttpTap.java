package io.tunneld.client.inspect;

import java.util.ArrayDeque;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.tunneld.client.observe.ConnectionObserver;
import io.tunneld.client.observe.OpenTunnel;

/**
 * Reads one relayed connection's bytes as HTTP/1.1 in both directions, with Netty's decoders,
 * and records each request and its response (keep-alive and pipelined requests in order,
 * chunked bodies, HEAD and 1xx answers). Confined to the connection's event loop. Anything it
 * cannot read (another protocol after an Upgrade, a malformed message, too many requests
 * ahead of their responses) ends the inspection of that connection, never its relaying.
 */
final class HttpTap implements ConnectionObserver {

    /** Request bodies and response bodies are kept up to this size each; the rest is counted. */
    static final int BODY_LIMIT = 64 * 1024;
    /** Pipelined requests waiting for their responses, beyond which the tap gives up. */
    private static final int MAX_AWAITING = 32;
    private static final HttpDecoderConfig DECODING = new HttpDecoderConfig()
            .setMaxInitialLineLength(16 * 1024).setMaxHeaderSize(64 * 1024).setMaxChunkSize(64 * 1024);

    private final OpenTunnel tunnel;
    private final String clientAddr;
    private final long replayOf;
    private final Recorder recorder;
    /** Requests whose response has not ended, oldest first. */
    private final ArrayDeque<Capture> awaiting = new ArrayDeque<>();
    /**
     * The methods of the requests whose response's head the decoder has not read: it reads on
     * through a buffer before the exchanges it decoded are taken from {@link #awaiting}.
     */
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();
    private EmbeddedChannel requests;
    private EmbeddedChannel responses;
    private Capture reading;
    private boolean informational;
    private boolean off;
    private long lastId = -1;

    HttpTap(OpenTunnel tunnel, String clientAddr, long replayOf, Recorder recorder) {
        this.tunnel = tunnel;
        this.clientAddr = clientAddr;
        this.replayOf = replayOf;
        this.recorder = recorder;
    }

    @Override
    public boolean tapsHttp() {
        return true;
    }

    /** The id of the last request whose head was read, or -1. */
    long lastId() {
        return lastId;
    }

    @Override
    public void fromPublic(ByteBuf bytes) {
        if (off) {
            return;
        }
        try {
            if (requests == null) {
                requests = new EmbeddedChannel(new HttpRequestDecoder(DECODING));
            }
            // A copy: the relay's buffer is written on after this returns.
            requests.writeInbound(Unpooled.copiedBuffer(bytes));
            for (Object m; !off && (m = requests.readInbound()) != null; ) {
                try {
                    onRequest((HttpObject) m);
                } finally {
                    ReferenceCountUtil.release(m);
                }
            }
        } catch (RuntimeException e) {
            stop("not HTTP/1.1 as far as the inspector can read");
        }
    }

    @Override
    public void fromLocal(ByteBuf bytes) {
        if (off) {
            return;
        }
        try {
            if (responses == null) {
                responses = new EmbeddedChannel(new ResponseDecoder());
            }
            responses.writeInbound(Unpooled.copiedBuffer(bytes));
            readResponses();
        } catch (RuntimeException e) {
            stop("not HTTP/1.1 as far as the inspector can read");
        }
    }

    @Override
    public void localUnreachable(String reason) {
        stop("the local service could not be reached: " + reason);
    }

    @Override
    public void closed(long bytesFromPublic, long bytesFromLocal) {
        if (off) {
            return;
        }
        try {
            // A response without a length ends with the connection.
            if (responses != null && responses.finish()) {
                readResponses();
            }
        } catch (RuntimeException e) {
            // Reported below like any response cut short.
        }
        stop("the connection closed before the response ended");
    }

    private void readResponses() {
        for (Object m; !off && (m = responses.readInbound()) != null; ) {
            try {
                onResponse((HttpObject) m);
            } finally {
                ReferenceCountUtil.release(m);
            }
        }
    }

    private void onRequest(HttpObject m) {
        if (m.decoderResult().isFailure()) {
            stop("a request the inspector cannot read");
            return;
        }
        if (m instanceof HttpRequest r) {
            if (awaiting.size() >= MAX_AWAITING) {
                stop("more than " + MAX_AWAITING + " requests ahead of their responses");
                return;
            }
            reading = new Capture(recorder.nextId(), System.currentTimeMillis(), System.nanoTime(), r);
            lastId = reading.id;
            awaiting.add(reading);
            methods.add(r.method());
        }
        if (m instanceof HttpContent c && reading != null) {
            reading.requestBody.add(c.content());
            if (m instanceof LastHttpContent) {
                reading.requestEnded();
                recorder.record(reading.exchange(null));
                reading = null;
            }
        }
    }

    private void onResponse(HttpObject m) {
        if (m.decoderResult().isFailure()) {
            stop("a response the inspector cannot read");
            return;
        }
        Capture c = awaiting.peek();
        if (m instanceof HttpResponse r) {
            if (c == null) {
                stop("a response to no request");
                return;
            }
            // 100 Continue and the like come before the response proper.
            informational = r.status().codeClass() == HttpStatusClass.INFORMATIONAL && r.status().code() != 101;
            if (!informational) {
                c.response = r;
            }
        }
        if (m instanceof HttpContent content && c != null && !informational) {
            c.responseBody.add(content.content());
        }
        if (m instanceof LastHttpContent && c != null) {
            if (informational) {
                informational = false;
                return;
            }
            awaiting.poll();
            c.durationNanos = System.nanoTime() - c.startNanos;
            recorder.record(c.exchange(null));
            int status = c.response.status().code();
            if (status == 101 || c.method.equals(HttpMethod.CONNECT) && status / 100 == 2) {
                stop("the connection switched to another protocol");
            }
        }
    }

    /** Ends the inspection of this connection; what was in progress is recorded as cut short. */
    private void stop(String why) {
        if (off) {
            return;
        }
        off = true;
        for (Capture c : awaiting) {
            recorder.record(c.exchange(why));
        }
        awaiting.clear();
        methods.clear();
        reading = null;
        try {
            if (requests != null) {
                requests.finishAndReleaseAll();
            }
            if (responses != null) {
                responses.finishAndReleaseAll();
            }
        } catch (RuntimeException e) {
            // A decoder's complaint about what it was left with: nothing more to read anyway.
        }
        recorder.tapEnded();
    }

    /** A response decoder that knows which request each response answers (HEAD's has no body). */
    private final class ResponseDecoder extends HttpResponseDecoder {

        ResponseDecoder() {
            super(DECODING);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            if (msg instanceof HttpResponse r && (r.status().codeClass() != HttpStatusClass.INFORMATIONAL
                    || r.status().code() == 101) && HttpMethod.HEAD.equals(methods.poll())) {
                return true;
            }
            return super.isContentAlwaysEmpty(msg);
        }
    }

    /** An exchange being read. */
    private final class Capture {
        final long id;
        final long startMillis;
        final long startNanos;
        final HttpMethod method;
        final Request head;
        final BodyCapture requestBody = new BodyCapture(BODY_LIMIT);
        final BodyCapture responseBody = new BodyCapture(BODY_LIMIT);
        /** The request's body once it ended (kept once, not copied at every record). */
        Body requestEnded;
        HttpResponse response;
        long durationNanos = -1;

        Capture(long id, long startMillis, long startNanos, HttpRequest r) {
            this.id = id;
            this.startMillis = startMillis;
            this.startNanos = startNanos;
            this.method = r.method();
            this.head = new Request(r.method().name(), r.uri(), r.protocolVersion().text(), Header.of(r.headers()),
                    Body.EMPTY);
        }

        void requestEnded() {
            requestEnded = requestBody.body();
        }

        Exchange exchange(String failure) {
            Request request = new Request(head.method(), head.uri(), head.version(), head.headers(),
                    requestEnded != null ? requestEnded : requestBody.body());
            Response resp = response == null ? null
                    : new Response(response.protocolVersion().text(), response.status().code(),
                            response.status().reasonPhrase(), Header.of(response.headers()), responseBody.body());
            return new Exchange(id, tunnel, clientAddr, startMillis, request, resp, durationNanos, replayOf, failure);
        }
    }
}

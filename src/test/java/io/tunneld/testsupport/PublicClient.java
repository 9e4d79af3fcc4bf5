package io.tunneld.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLSocket;

import io.tunneld.testclient.TlsDialer;

/** A visitor on the public side: raw sockets, so tests see exactly the bytes on the wire. */
public final class PublicClient {

    private PublicClient() {
    }

    /** A plain connection to a public port on loopback, with a read timeout. */
    public static Socket plain(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(15_000);
        return s;
    }

    /** A TLS connection to a public port, SNI set to {@code host}, trusting any certificate. */
    public static SSLSocket tls(int port, String host) throws IOException {
        return TlsDialer.trustAll().withSni(host).dial("127.0.0.1", port);
    }

    /** Sends the bytes and reads until the server closes. */
    public static String exchange(Socket s, String request) throws IOException {
        try (s) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return readAll(s.getInputStream());
        }
    }

    /**
     * Sends {@code request} on a new plain connection and reads back as many bytes: what an
     * echo service behind the tunnel answers when every byte went through unchanged.
     */
    public static String echo(int port, String request) throws IOException {
        try (Socket s = plain(port)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(readExactly(s.getInputStream(), request.length()), StandardCharsets.ISO_8859_1);
        }
    }

    /** A GET over plain HTTP, answer read to the end (the local services close after one answer). */
    public static String get(int port, String host, String path, String... extraHeaders) throws IOException {
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
        for (String h : extraHeaders) {
            request.append(h).append("\r\n");
        }
        return exchange(plain(port), request.append("Connection: close\r\n\r\n").toString());
    }

    public static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads exactly n bytes. */
    public static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new IOException("expected " + n + " bytes, got " + b.length);
        }
        return b;
    }
}

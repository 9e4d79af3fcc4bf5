package io.tunneld.protocol;

/**
 * One ngrok 1.x protocol message. The record's simple name is the wire {@code Type}; its
 * components, named as Go names them, are the {@code Payload}.
 */
public sealed interface Message
        permits Auth, AuthResp, ReqTunnel, NewTunnel, ReqProxy, RegProxy, StartProxy, Ping, Pong {

    /** Go's zero value for a missing string field. */
    static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}

package io.tunneld.auth;

/**
 * Who an authenticated client is, by the token it presented: {@code token-1} for the first
 * configured token, and so on. Safe to log; the token itself never is.
 */
public record Principal(String name) {

    /** Everyone, when authentication is turned off. */
    public static final Principal ANONYMOUS = new Principal("anonymous");
}

package io.tunneld.tunnel;

/**
 * The session a route is claimed for.
 *
 * @param clientId  its ClientId
 * @param instance  which session under that id (a replaced one is another)
 * @param principal who owns it
 */
public record Claimant(String clientId, String instance, String principal) {
}

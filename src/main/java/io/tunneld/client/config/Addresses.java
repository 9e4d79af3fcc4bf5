package io.tunneld.client.config;

/**
 * Addresses written as 1.x accepts them: a port alone ({@code 8080}), {@code :8080} or
 * {@code host:port}; a missing host is 127.0.0.1.
 */
public final class Addresses {

    private Addresses() {
    }

    /**
     * {@code host:port} with the host filled in, or a one-line error naming {@code what}.
     *
     * @param what what the address is for, as 1.x names it in its error ("server_addr")
     */
    public static String normalize(String address, String what) throws ConfigException {
        String a = address.trim();
        if (a.chars().allMatch(Character::isDigit) && !a.isEmpty()) {
            a = ":" + a;
        }
        int colon = a.lastIndexOf(':');
        if (colon < 0) {
            throw new ConfigException("Invalid address " + what + " '" + address + "': missing port in address");
        }
        String host = a.substring(0, colon);
        String port = a.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new ConfigException("Invalid address " + what + " '" + address + "': too many colons in address");
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            number = -1;
        }
        if (number < 0 || number > 0xFFFF) {
            throw new ConfigException("Invalid address " + what + " '" + address + "': invalid port '" + port + "'");
        }
        if (host.isEmpty()) {
            host = "127.0.0.1";
        }
        return join(host, number);
    }

    /** The host part of a normalized address (brackets of an IPv6 literal removed). */
    public static String host(String normalized) {
        String host = normalized.substring(0, normalized.lastIndexOf(':'));
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    /** The port of a normalized address. */
    public static int port(String normalized) {
        return Integer.parseInt(normalized.substring(normalized.lastIndexOf(':') + 1));
    }

    private static String join(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}

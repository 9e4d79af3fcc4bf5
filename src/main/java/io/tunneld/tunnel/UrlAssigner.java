package io.tunneld.tunnel;

import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import io.tunneld.config.TunneldConfig;
import io.tunneld.protocol.PeerText;
import io.tunneld.protocol.ReqTunnel;

/**
 * Where tunnel URLs are assigned: the host an HTTP(S) request gets (its {@code Hostname},
 * its {@code Subdomain} under the server's domain, or a random subdomain), validated, and the
 * URL each protocol shows for it. Hostnames are allowed only under the configured domains;
 * random subdomains come from {@link SecureRandom} and are not enumerable.
 */
@ApplicationScoped
public class UrlAssigner {

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final char[] RANDOM_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final int RANDOM_LENGTH = 12;

    private final SecureRandom random = new SecureRandom();
    private final String domain;
    private final List<String> allowedDomains;
    private final PublicPorts ports;

    public UrlAssigner(TunneldConfig config, PublicPorts ports) {
        this.domain = config.domain().toLowerCase(Locale.ROOT);
        this.allowedDomains = config.allowedHostnameDomains().orElse(List.of(domain)).stream()
                .map(d -> d.trim().toLowerCase(Locale.ROOT)).filter(d -> !d.isEmpty()).toList();
        this.ports = ports;
    }

    /** The server's domain, lower case. */
    public String domain() {
        return domain;
    }

    /**
     * The host the request names, validated and lower-cased, or null when it asks for a
     * random one. A subdomain is one DNS label: a wildcard certificate for {@code *.<domain>}
     * covers one label only, and a dotted one could shadow names meant for hostnames. Names
     * are checked as sent, before lower-casing: {@code toLowerCase} maps some non-ASCII
     * letters to ASCII ones (the Kelvin sign to {@code k}).
     */
    public String requestedHost(ReqTunnel request) {
        if (!request.hostname().isEmpty()) {
            if (!isDnsName(request.hostname())) {
                throw new TunnelException("Invalid hostname \"" + PeerText.printable(request.hostname()) + '"');
            }
            String host = request.hostname().toLowerCase(Locale.ROOT);
            if (allowedDomains.stream().noneMatch(d -> host.endsWith("." + d))) {
                throw new TunnelException("Hostname " + host + " is not allowed here; use a name under "
                        + String.join(", ", allowedDomains));
            }
            return host;
        }
        if (!request.subdomain().isEmpty()) {
            String host = request.subdomain().toLowerCase(Locale.ROOT) + "." + domain;
            if (!LABEL.matcher(request.subdomain()).matches() || !isDnsName(host)) {
                throw new TunnelException("Invalid subdomain \"" + PeerText.printable(request.subdomain()) + '"'
                        + ": use one label of letters, digits and hyphens");
            }
            return host;
        }
        return null;
    }

    /** A new random host under the server's domain. */
    public String randomHost() {
        char[] label = new char[RANDOM_LENGTH];
        for (int i = 0; i < label.length; i++) {
            label[i] = RANDOM_ALPHABET[random.nextInt(RANDOM_ALPHABET.length)];
        }
        return new String(label) + "." + domain;
    }

    /** The URL of an HTTP(S) host, with the listener's public port unless it is the default. */
    public String url(Protocol protocol, String host) {
        int port = ports.of(protocol);
        int defaultPort = protocol == Protocol.HTTPS ? 443 : 80;
        return protocol.wireName() + "://" + host + (port == defaultPort ? "" : ":" + port);
    }

    /** The URL of a TCP tunnel. */
    public String tcpUrl(int port) {
        return "tcp://" + domain + ":" + port;
    }

    /** Whether {@code host} is a DNS name: labels of letters, digits and hyphens, separated by dots. */
    public static boolean isDnsName(String host) {
        if (host.length() > 253) {
            return false;
        }
        for (String label : host.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }
}

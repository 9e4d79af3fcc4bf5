package io.tunneld.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;

/**
 * The DNS names a certificate is valid for, as clients check them (RFC 6125): its subject
 * alternative names of type DNS, or its subject's common names when it has none.
 */
record CertificateNames(List<String> names) {

    private static final int DNS_NAME = 2;

    static CertificateNames of(X509Certificate certificate) {
        List<String> dns = alternativeNames(certificate);
        return new CertificateNames(dns.isEmpty() ? commonNames(certificate) : dns);
    }

    /**
     * Whether the certificate covers tunneld's domain: the domain itself (by name or a wildcard
     * one label up), or {@code *.<domain>}, the name of every subdomain tunnel.
     */
    boolean coversDomain(String domain) {
        return names.stream().anyMatch(n -> matches(n, domain) || n.equalsIgnoreCase("*." + domain));
    }

    /** A name matches a host exactly, or as a wildcard {@code *.rest} for exactly one label before rest. */
    private static boolean matches(String name, String host) {
        String n = name.toLowerCase(Locale.ROOT);
        String h = host.toLowerCase(Locale.ROOT);
        if (!n.startsWith("*.")) {
            return n.equals(h);
        }
        int firstDot = h.indexOf('.');
        return firstDot > 0 && h.substring(firstDot).equals(n.substring(1));
    }

    private static List<String> alternativeNames(X509Certificate certificate) {
        try {
            Collection<List<?>> entries = certificate.getSubjectAlternativeNames();
            return entries == null ? List.of() : entries.stream()
                    .filter(e -> e.get(0) instanceof Integer type && type == DNS_NAME)
                    .map(e -> (String) e.get(1)).toList();
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    private static List<String> commonNames(X509Certificate certificate) {
        try {
            return new LdapName(certificate.getSubjectX500Principal().getName()).getRdns().stream()
                    .filter(r -> r.getType().equalsIgnoreCase("CN")).map(r -> r.getValue().toString()).toList();
        } catch (InvalidNameException e) {
            return List.of();
        }
    }

    @Override
    public String toString() {
        return names.isEmpty() ? "no DNS names" : String.join(", ", names);
    }
}

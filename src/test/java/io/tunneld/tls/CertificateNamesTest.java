package io.tunneld.tls;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Whether a certificate's names cover the domain, as TLS clients match names (RFC 6125). */
class CertificateNamesTest {

    @Test
    void theDomainItselfOrItsSubdomainWildcardCoverIt() {
        assertTrue(names("tunnels.example.com").coversDomain("tunnels.example.com"));
        assertTrue(names("*.tunnels.example.com").coversDomain("tunnels.example.com"));
        assertTrue(names("TUNNELS.Example.com").coversDomain("tunnels.example.COM"));
        assertTrue(names("*.example.com").coversDomain("tunnels.example.com"), "a wildcard one label up");
        assertTrue(names("other.test", "tunnels.example.com").coversDomain("tunnels.example.com"));
    }

    @Test
    void otherNamesDoNot() {
        assertFalse(names("example.com").coversDomain("tunnels.example.com"));
        assertFalse(names("*.com").coversDomain("tunnels.example.com"), "a wildcard covers one label only");
        assertFalse(names("demo.tunnels.example.com").coversDomain("tunnels.example.com"));
        assertFalse(names("tunnels.example.com.evil.test").coversDomain("tunnels.example.com"));
        assertFalse(names().coversDomain("tunnels.example.com"));
    }

    private static CertificateNames names(String... names) {
        return new CertificateNames(List.of(names));
    }
}

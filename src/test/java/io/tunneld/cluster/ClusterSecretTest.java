package io.tunneld.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.ConfigurationException;

/** The cluster secret: long enough, and what it signs only it verifies. */
class ClusterSecretTest {

    @Test
    void aShortSecretIsRefusedWithOneLineNamingTheSetting() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> new ClusterSecret("change-me"));
        assertEquals("tunneld.cluster.secret must be at least 16 characters", e.getMessage());
    }

    @Test
    void aSignatureVerifiesUnderItsSecretOnly() {
        ClusterSecret secret = new ClusterSecret("one-cluster-secret-value");
        String signature = secret.sign("text");
        assertTrue(secret.verify("text", signature));
        assertFalse(secret.verify("other text", signature));
        assertFalse(new ClusterSecret("another-cluster-secret").verify("text", signature));
    }
}

package io.tunneld.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which tokens are too weak to serve with, and the reason given (never quoting them). */
class TokenStrengthTest {

    private static final String PLACEHOLDER =
            "is a placeholder (it contains a word such as change-me, example, password or secret)";

    @ParameterizedTest
    @ValueSource(strings = { "change-me", "changeme", "secret", "password", "token", "example", "fifteen-chars-x" })
    void shortTokensAreWeak(String token) {
        assertEquals(Optional.of("is shorter than 16 characters"), TokenStrength.weakness(token));
    }

    @ParameterizedTest
    @ValueSource(strings = { "Change-Me-Please-Now", "replace_me_with_a_token", "<your-token-placeholder>",
        "example-token-0123456789", "my-password-1234567", "our-team-secret-2026", "your.token.goes.here" })
    void placeholdersAreWeakWhateverTheirLength(String token) {
        assertEquals(Optional.of(PLACEHOLDER), TokenStrength.weakness(token));
    }

    @Test
    void aRepeatedCharacterIsWeak() {
        assertEquals(Optional.of("has fewer than 4 distinct characters"), TokenStrength.weakness("x".repeat(32)));
        assertEquals(Optional.of("has fewer than 4 distinct characters"), TokenStrength.weakness("abcabcabcabcabcabc"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "9f86d081884c7d659a2feaa0c55ad015", "tunneld-test-token-1", "cluster-token-number-1",
        "kX2pQ9vL7mZ4rT8w" })
    void longRandomLookingTokensAreStrong(String token) {
        assertTrue(TokenStrength.weakness(token).isEmpty());
    }
}

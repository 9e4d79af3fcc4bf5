package io.tunneld.auth;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a configured client token is strong enough to serve with: at least
 * {@value #MIN_LENGTH} characters, at least {@value #MIN_DISTINCT} distinct ones, and none of
 * the words of templates and examples ({@link #PLACEHOLDERS}, ignoring case and punctuation):
 * such a token was copied from a manifest or a README, not made for this server.
 */
public final class TokenStrength {

    /** Shorter tokens are weak. */
    public static final int MIN_LENGTH = 16;
    /** Tokens of fewer distinct characters ({@code xxxxxxxxxxxxxxxx}) are weak. */
    static final int MIN_DISTINCT = 4;
    /** A token containing one of these, letters and digits only, is a placeholder. */
    static final List<String> PLACEHOLDERS = List.of("changeme", "replaceme", "placeholder", "example",
            "yourtoken", "password", "secret");

    private TokenStrength() {
    }

    /** Why the token is weak, never quoting it; empty when it is strong. */
    public static Optional<String> weakness(String token) {
        if (token.length() < MIN_LENGTH) {
            return Optional.of("is shorter than " + MIN_LENGTH + " characters");
        }
        if (token.chars().distinct().count() < MIN_DISTINCT) {
            return Optional.of("has fewer than " + MIN_DISTINCT + " distinct characters");
        }
        String letters = token.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        if (PLACEHOLDERS.stream().anyMatch(letters::contains)) {
            return Optional.of("is a placeholder (it contains a word such as change-me, example, password or secret)");
        }
        return Optional.empty();
    }
}

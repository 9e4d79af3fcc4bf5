package io.tunneld.session;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Hostile variants of the strings and numbers a 1.x client sends, drawn from a seeded
 * {@link Random} so that a failing run can be repeated: control characters at every
 * position, Unicode look-alikes and invisible characters, dots, case variants, {@code +}
 * combinations, empty and overlong text, out-of-range numbers, and JSON values of the wrong
 * type.
 */
final class FuzzValues {

    /** C0 controls, DEL, and the Unicode spaces and invisibles that trimming functions strip. */
    private static final String[] CONTROLS = { "\u0000", "\u0001", "\u0008", "\t", "\n", "\u000b", "\r", "\u001b",
            "\u001f", "\u007f", "\u0085", "\u00a0", "\u200b", "\u2028", "\ufeff" };
    /** Characters whose lower case is ASCII or that look like ASCII: Kelvin sign, dotless i, fullwidth h. */
    private static final String[] LOOKALIKES = { "\u212a", "\u0131", "\u0130", "\uff48", "\u0455", "\u00e9" };
    private static final String[] PROTOCOLS = { "http", "https", "tcp" };

    private final Random random;

    FuzzValues(long seed) {
        this.random = new Random(seed);
    }

    /** {@code base} with one control character inserted at each position in turn. */
    List<String> controlAtEveryPosition(String base) {
        List<String> variants = new ArrayList<>();
        for (int i = 0; i <= base.length(); i++) {
            variants.add(base.substring(0, i) + pick(CONTROLS) + base.substring(i));
        }
        return variants;
    }

    /** One hostile variant of {@code base}, or {@code base} itself now and then. */
    String mutate(String base) {
        int at = random.nextInt(base.length() + 1);
        return switch (random.nextInt(9)) {
            case 0 -> base.substring(0, at) + pick(CONTROLS) + base.substring(at);
            case 1 -> base.isEmpty() ? pick(LOOKALIKES) : base.substring(0, Math.min(at, base.length() - 1))
                    + pick(LOOKALIKES) + base.substring(Math.min(at, base.length() - 1) + 1);
            case 2 -> base.substring(0, at) + "." + base.substring(at);
            case 3 -> randomCase(base);
            case 4 -> "";
            case 5 -> overlong(base.isEmpty() ? "x" : base);
            case 6 -> base.substring(0, at) + pick(new String[] { " ", "_", "-", "*", "/", ":", "@", "%00" })
                    + base.substring(at);
            case 7 -> base.toUpperCase(Locale.ROOT);
            default -> base;
        };
    }

    /** A {@code +} combination of protocol names, now and then with a wrong or empty part. */
    String protocolCombination() {
        List<String> parts = new ArrayList<>();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            parts.add(random.nextInt(6) == 0 ? pick(new String[] { "", "udp", "http2", "HTTP", "tls", "ws" })
                    : pick(PROTOCOLS));
        }
        return String.join("+", parts);
    }

    /** A RemotePort value: in the tunnel range, outside it, outside uint16, or not an integer at all. */
    Object remotePort(int min, int max) {
        return switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1, 2 -> min + random.nextInt(max - min + 1);
            case 3 -> pick(new Object[] { 1, 22, 80, 443, min - 1, max + 1, 65535 });
            case 4 -> pick(new Object[] { 65536, -1, Integer.MAX_VALUE, Long.MAX_VALUE,
                    new BigInteger("1" + "0".repeat(20 + random.nextInt(30))) });
            default -> random.nextBoolean() ? wrongType() : String.valueOf(min + random.nextInt(max - min + 1));
        };
    }

    /** A JSON value where Go expects a string or an integer of another type. */
    Object wrongType() {
        return pick(new Object[] { 7, true, false, 1.5, List.of("http"), Map.of("a", 1), List.of(), Map.of() });
    }

    boolean chance(int oneIn) {
        return random.nextInt(oneIn) == 0;
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    /** {@code base} repeated to 64 (one too many for a label), 254 (for a name), 1,000 or 5,000 characters (above the frame cap). */
    private String overlong(String base) {
        int length = pick(new Integer[] { 64, 254, 1_000, 5_000 });
        return base.repeat(length / base.length() + 1).substring(0, length);
    }

    private String randomCase(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
        }
        return out.toString();
    }
}

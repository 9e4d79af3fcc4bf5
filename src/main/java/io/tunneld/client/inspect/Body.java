package io.tunneld.client.inspect;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A message body as recorded: its first bytes (at most what the inspector keeps) and its whole
 * size.
 *
 * @param kept the first bytes of the body
 * @param size the body's length in bytes, all of it, kept or not
 */
public record Body(byte[] kept, long size) {

    /** No body. */
    public static final Body EMPTY = new Body(new byte[0], 0);

    /** True when only the first bytes were kept. */
    public boolean truncated() {
        return size > kept.length;
    }

    /**
     * The kept bytes as text, or {@code null} when they are not UTF-8 text. A multi-byte
     * character cut by the truncation is dropped, not taken as a sign of binary data.
     */
    public String text() {
        int end = kept.length;
        int minEnd = truncated() ? Math.max(0, end - 3) : end;
        for (; end >= minEnd; end--) {
            String text = decode(end);
            if (text != null) {
                return text.chars().anyMatch(c -> c < 0x20 && c != '\n' && c != '\r' && c != '\t') ? null : text;
            }
        }
        return null;
    }

    private String decode(int length) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(kept, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}

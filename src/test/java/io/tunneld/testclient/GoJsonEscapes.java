package io.tunneld.testclient;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * Makes Jackson escape strings the way Go's {@code encoding/json} does, so that frames are
 * byte-identical to the stock client's: '<', '>', '&', U+2028 and U+2029, and control characters
 * other than newline, return and tab, become six-character escapes with lower-case hex (Go before
 * 1.22, which 1.x builds used, escaped backspace and form feed that way too).
 */
final class GoJsonEscapes extends CharacterEscapes {

    private static final long serialVersionUID = 1L;

    private final int[] asciiEscapes;

    GoJsonEscapes() {
        asciiEscapes = standardAsciiEscapesForJSON();
        for (int c = 0; c < 0x20; c++) {
            if (c != '\n' && c != '\r' && c != '\t') {
                asciiEscapes[c] = ESCAPE_CUSTOM;
            }
        }
        asciiEscapes['<'] = ESCAPE_CUSTOM;
        asciiEscapes['>'] = ESCAPE_CUSTOM;
        asciiEscapes['&'] = ESCAPE_CUSTOM;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
        return asciiEscapes;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
        if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&' || ch == 0x2028 || ch == 0x2029) {
            return new SerializedString(String.format("\\u%04x", ch));
        }
        return null;
    }
}

package io.tunneld.client.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Remembers the token in the configuration file once the server has accepted it, as 1.7 does,
 * so that {@code ngrok -authtoken=T 80} once is enough. Changes only the {@code auth_token}
 * line (1.7 rewrote the whole file and lost its comments); a new file is readable by its owner
 * only.
 */
public final class AuthTokenFile {

    private static final Pattern TOKEN_LINE = Pattern.compile("(?m)^auth_token:.*$");
    private static final Pattern PLAIN = Pattern.compile("[0-9A-Za-z_.-]+");

    private AuthTokenFile() {
    }

    /**
     * Writes {@code token} into {@code path} unless the file already holds it.
     *
     * @return true if the file was written
     */
    public static boolean save(Path path, String token) throws IOException, ConfigException {
        if (token.isEmpty()) {
            return false;
        }
        String text = Files.exists(path) ? Files.readString(path) : null;
        if (text != null && ConfigFile.parse(text, path.toString(), Map.of()).authToken().equals(token)) {
            return false;
        }
        String line = "auth_token: " + (PLAIN.matcher(token).matches() ? token : '"' + token.replace("\\", "\\\\")
                .replace("\"", "\\\"") + '"');
        if (text == null) {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(path, line + "\n");
            return true;
        }
        Matcher m = TOKEN_LINE.matcher(text);
        String updated;
        if (m.find()) {
            updated = text.substring(0, m.start()) + line + text.substring(m.end());
        } else if (text.strip().isEmpty() || !text.contains(":")) {
            // Empty, or an old file holding only a token.
            updated = line + "\n";
        } else {
            updated = text + (text.endsWith("\n") ? "" : "\n") + line + "\n";
        }
        Files.writeString(path, updated);
        return true;
    }
}

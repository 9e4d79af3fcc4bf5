package io.tunneld.client.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The accepted token written back into ~/.ngrok, as 1.7 does, keeping the rest of the file. */
class AuthTokenFileTest {

    private Path dir;
    private Path file;

    @BeforeEach
    void dir() throws Exception {
        dir = Files.createTempDirectory("ngrok-home");
        file = dir.resolve(".ngrok");
    }

    @AfterEach
    void clean() throws Exception {
        Files.deleteIfExists(file);
        Files.delete(dir);
    }

    @Test
    void aNewFileHoldsTheTokenAndOnlyItsOwnerCanReadIt() throws Exception {
        assertTrue(AuthTokenFile.save(file, "tok-1"));
        assertEquals("auth_token: tok-1\n", Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void theTokenLineIsReplacedAndCommentsAndTunnelsStay() throws Exception {
        String before = "# my tunnels\nserver_addr: t.example.com:4443\nauth_token: old\ntunnels:\n  www:\n    proto:\n      http: 80\n";
        Files.writeString(file, before);
        assertTrue(AuthTokenFile.save(file, "new!token"));
        assertEquals(before.replace("auth_token: old", "auth_token: \"new!token\""), Files.readString(file));
        assertEquals("new!token", ConfigFile.read(file.toString(), Map.of()).authToken());
        assertFalse(AuthTokenFile.save(file, "new!token"), "the same token: no write");
    }

    @Test
    void aFileWithoutTheKeyGetsItAppendedAndABareTokenFileIsReplaced() throws Exception {
        Files.writeString(file, "server_addr: t.example.com:4443");
        AuthTokenFile.save(file, "tok");
        assertEquals("server_addr: t.example.com:4443\nauth_token: tok\n", Files.readString(file));
        Files.writeString(file, "oldbaretoken\n");
        AuthTokenFile.save(file, "tok2");
        assertEquals("auth_token: tok2\n", Files.readString(file));
    }
}

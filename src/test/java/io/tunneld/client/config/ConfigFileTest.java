package io.tunneld.client.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** ~/.ngrok as the 1.7 client reads it, and the command line applied over it. */
class ConfigFileTest {

    /** A configuration file as 1.x's documentation wrote them. */
    static final String SAMPLE = """
            server_addr: ngrok.example.com:4443
            auth_token: abc123
            trust_host_root_certs: true
            inspect_addr: 0.0.0.0:4041
            tunnels:
              client:
                subdomain: "example"
                auth: "user:12345"
                proto:
                  https: "8080"
              ssh:
                remote_port: 50001
                proto:
                  tcp: "22"
              hostname.example.com:
                proto:
                  http: 192.168.1.10:80
              www:
                proto:
                  http: 80
                  https: 443
            """;

    private static Overrides command(String command, String... args) {
        return new Overrides("", command, List.of(args), "", "", "", "", "http+https", false, "");
    }

    private static ClientConfig parse(String text) throws ConfigException {
        return ConfigFile.parse(text, "test.yml", Map.of());
    }

    private static String refused(String text) {
        return assertThrows(ConfigException.class, () -> parse(text)).getMessage();
    }

    @Test
    void readsEveryKeyOfA17File() throws Exception {
        ClientConfig c = parse(SAMPLE);
        assertEquals("ngrok.example.com:4443", c.serverAddr());
        assertEquals("abc123", c.authToken());
        assertTrue(c.trustHostRootCerts());
        assertEquals("0.0.0.0:4041", c.inspectAddr());
        assertEquals(List.of("client", "ssh", "hostname.example.com", "www"),
                c.tunnels().stream().map(TunnelConfig::name).toList());
        TunnelConfig client = c.tunnels().get(0);
        assertEquals("example", client.subdomain());
        assertEquals("user:12345", client.auth());
        assertEquals(Map.of("https", "127.0.0.1:8080"), client.protocols());
        TunnelConfig ssh = c.tunnels().get(1);
        assertEquals(50001, ssh.remotePort());
        assertEquals("ssh", ssh.subdomain(), "the name is the subdomain when none is given");
        assertEquals("tcp", ssh.protocolField());
        TunnelConfig host = c.tunnels().get(2);
        assertEquals("hostname.example.com", host.hostname(), "a name with a dot is a hostname");
        assertEquals("", host.subdomain());
        assertEquals("192.168.1.10:80", host.protocols().get("http"));
        assertEquals("http+https", c.tunnels().get(3).protocolField());
        assertEquals("127.0.0.1:443", c.tunnels().get(3).protocols().get("https"));
    }

    @Test
    void defaultsWhenTheFileSaysNothing() throws Exception {
        for (String empty : List.of("", "# nothing\n", "---\n")) {
            ClientConfig c = parse(empty);
            assertEquals("localhost:4443", c.serverAddr());
            assertEquals("127.0.0.1:4040", c.inspectAddr());
            assertEquals("", c.authToken());
            assertFalse(c.trustHostRootCerts());
            assertEquals("", c.httpProxy());
            assertTrue(c.tunnels().isEmpty());
        }
        assertEquals("disabled", parse("inspect_addr: disabled").inspectAddr());
    }

    @Test
    void aFileHoldingOnlyATokenIsTheToken() throws Exception {
        assertEquals("4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p", parse("4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p\n").authToken());
    }

    @Test
    void theEnvironmentsHttpProxyIsUsedWhenTheFileHasNone() throws Exception {
        assertEquals("http://proxy:3128", ConfigFile.parse("", "t", Map.of("http_proxy", "http://proxy:3128")).httpProxy());
        assertEquals("http://file:1", ConfigFile.parse("http_proxy: http://file:1", "t",
                Map.of("http_proxy", "http://proxy:3128")).httpProxy());
    }

    @Test
    void mistakesAreOneClearLine() {
        assertEquals("Error parsing configuration file test.yml: server_adr: unknown key (known: auth_token, http_proxy,"
                + " inspect_addr, server_addr, tls_ca_file, trust_host_root_certs, tunnels)", refused("server_adr: x:1"));
        assertTrue(refused("tunnels:\n  a:\n    protos:\n      http: 80\n")
                .startsWith("Error parsing configuration file test.yml: tunnels.a.protos: unknown key"));
        assertEquals("Tunnel a does not specify any protocols to tunnel.", refused("tunnels:\n  a:\n    subdomain: x\n"));
        assertEquals("Invalid protocol for for tunnel a[ftp]: ftp", refused("tunnels:\n  a:\n    proto:\n      ftp: 21\n"));
        assertEquals("Error parsing configuration file test.yml: tunnels.a.remote_port: expected a number from 0 to 65535,"
                + " got '70000'", refused("tunnels:\n  a:\n    remote_port: 70000\n    proto:\n      tcp: 22\n"));
        assertEquals("Error parsing configuration file test.yml: trust_host_root_certs: expected true or false, got 'maybe'",
                refused("trust_host_root_certs: maybe"));
        assertEquals("Invalid address server_addr 'nowhere': missing port in address", refused("server_addr: nowhere"));
        assertEquals("Proxy URL scheme must be http or https, got: socks5", refused("http_proxy: socks5://p:1080"));
        assertTrue(refused("tunnels: [unclosed").startsWith("Error parsing configuration file test.yml: "));
        assertTrue(refused("server_addr: [a, b]").endsWith("server_addr: expected a single value"));
    }

    @Test
    void aNamedFileMustExistButTheDefaultNeedNot() throws Exception {
        Path missing = Files.createTempDirectory("cfg").resolve("none.yml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.read(missing.toString(), Map.of()));
        assertEquals("Failed to read configuration file " + missing + ": no such file", e.getMessage());
        Path file = Files.createTempFile("ngrok", ".yml");
        try {
            Files.writeString(file, SAMPLE);
            assertEquals("abc123", ConfigFile.read(file.toString(), Map.of()).authToken());
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void theCommandLineChoosesTunnelsAndOverridesTheToken() throws Exception {
        ClientConfig file = parse(SAMPLE);
        ClientConfig one = file.with(new Overrides("", "default", List.of("3000"), "tok", "demo", "", "a:b", "http+https",
                true, "/ca.pem"));
        assertEquals("tok", one.authToken());
        assertTrue(one.tlsSkipVerify());
        assertEquals("/ca.pem", one.tlsCaFile());
        TunnelConfig t = one.tunnels().get(0);
        assertEquals("default", t.name());
        assertEquals("demo", t.subdomain());
        assertEquals("a:b", t.auth());
        assertEquals(Map.of("http", "127.0.0.1:3000", "https", "127.0.0.1:3000"), t.protocols());
        assertEquals("http+https", t.protocolField());

        assertEquals(List.of("www", "ssh"), file.with(command("start", "www", "ssh")).tunnels().stream()
                .map(TunnelConfig::name).toList());
        assertEquals(4, file.with(command("start-all")).tunnels().size());
        assertEquals("abc123", file.with(command("start-all")).authToken());
        assertEquals("Requested to start tunnel nope which is not defined in the config file.",
                assertThrows(ConfigException.class, () -> file.with(command("start", "nope"))).getMessage());
        assertEquals("You must specify at least one tunnel to start",
                assertThrows(ConfigException.class, () -> file.with(command("start"))).getMessage());
        assertEquals("Invalid protocol for default: udp", assertThrows(ConfigException.class,
                () -> file.with(new Overrides("", "default", List.of("80"), "", "", "", "", "udp", false, "")))
                .getMessage());
    }

    @Test
    void addressesAreNormalizedAs1xDoes() throws Exception {
        assertEquals("127.0.0.1:80", Addresses.normalize("80", "x"));
        assertEquals("127.0.0.1:80", Addresses.normalize(":80", "x"));
        assertEquals("10.0.0.1:22", Addresses.normalize("10.0.0.1:22", "x"));
        assertEquals("[::1]:22", Addresses.normalize("[::1]:22", "x"));
        assertEquals("::1", Addresses.host("[::1]:22"));
        assertThrows(ConfigException.class, () -> Addresses.normalize("host:port", "x"));
        assertThrows(ConfigException.class, () -> Addresses.normalize("1:2:3", "x"));
    }
}

package io.tunneld.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.tunneld.client.config.Overrides;

/** The 1.7 client's command line, in every form Go's flag package accepts. */
class CommandLineParserTest {

    private static CommandLineParser.Parsed parse(String... args) throws UsageException {
        return CommandLineParser.parse(args, Map.of());
    }

    private static UsageException refused(String... args) {
        return assertThrows(UsageException.class, () -> parse(args));
    }

    @Test
    void defaultsAreThoseOf17() throws Exception {
        CommandLineParser.Parsed p = parse("8080");
        Overrides o = p.overrides();
        assertEquals("none", p.log());
        assertEquals("DEBUG", p.logLevel());
        assertEquals("http+https", o.proto());
        assertEquals("", o.config());
        assertEquals("", o.authtoken());
        assertEquals("", o.subdomain());
        assertEquals("", o.hostname());
        assertEquals("", o.httpauth());
        assertEquals("", o.tlsCaFile());
        assertFalse(o.tlsSkipVerify());
        assertEquals("default", o.command());
        assertEquals(List.of("8080"), o.args());
    }

    @Test
    void everyFlagIsReadWithOneOrTwoDashesAndEqualsOrASpace() throws Exception {
        CommandLineParser.Parsed p = parse("-config=/etc/ngrok.yml", "--authtoken", "tok", "-subdomain", "demo",
                "--hostname=example.com", "-httpauth=u:p", "-proto=tcp", "-log", "/tmp/ngrok.log", "--log-level=INFO",
                "-tls-ca-file", "/ca.pem", "-tls-skip-verify", "10.0.0.1:22");
        Overrides o = p.overrides();
        assertEquals("/etc/ngrok.yml", o.config());
        assertEquals("tok", o.authtoken());
        assertEquals("demo", o.subdomain());
        assertEquals("example.com", o.hostname());
        assertEquals("u:p", o.httpauth());
        assertEquals("tcp", o.proto());
        assertEquals("/tmp/ngrok.log", p.log());
        assertEquals("INFO", p.logLevel());
        assertEquals("/ca.pem", o.tlsCaFile());
        assertTrue(o.tlsSkipVerify());
        assertEquals(List.of("10.0.0.1:22"), o.args());
    }

    @Test
    void booleanFlagsTakeAnOptionalValueAndTheLastOfARepeatedFlagWins() throws Exception {
        assertTrue(parse("-tls-skip-verify=true", "80").overrides().tlsSkipVerify());
        assertFalse(parse("-tls-skip-verify=false", "80").overrides().tlsSkipVerify());
        assertFalse(parse("--tls-skip-verify=false", "80").overrides().tlsSkipVerify());
        assertEquals("b", parse("-subdomain=a", "-subdomain=b", "80").overrides().subdomain());
        assertEquals("", parse("-subdomain=", "80").overrides().subdomain());
    }

    @Test
    void theEnvironmentVariableTurnsVerificationOffToo() throws Exception {
        assertTrue(CommandLineParser.parse(new String[] { "80" }, Map.of("TUNNELD_CLIENT_TLS_SKIP_VERIFY", "true"))
                .overrides().tlsSkipVerify());
        assertFalse(CommandLineParser.parse(new String[] { "80" }, Map.of("TUNNELD_CLIENT_TLS_SKIP_VERIFY", "no"))
                .overrides().tlsSkipVerify());
    }

    @Test
    void commands() throws Exception {
        Overrides start = parse("-config=x.yml", "start", "www", "api").overrides();
        assertEquals("start", start.command());
        assertEquals(List.of("www", "api"), start.args());
        assertEquals("start-all", parse("start-all").overrides().command());
        assertEquals("list", parse("list").overrides().command());
        UsageException version = refused("version");
        assertEquals(0, version.status());
        assertEquals("1.7", version.getMessage());
        assertFalse(version.showUsage());
        for (String help : List.of("help", "-h", "-help", "--help")) {
            UsageException e = refused(help);
            assertEquals(0, e.status(), help);
            assertTrue(e.showUsage(), help);
        }
    }

    @Test
    void flagsEndAtTheFirstArgumentThatIsNotOne() throws Exception {
        // As Go's flag package: "8080 -subdomain=x" is two positional arguments.
        UsageException e = refused("8080", "-subdomain=x");
        assertEquals(1, e.status());
        assertEquals("You may only specify one port to tunnel to on the command line, got 2: [8080 -subdomain=x]",
                e.getMessage());
        assertEquals(List.of("www", "-proto=tcp"), parse("start", "www", "-proto=tcp").overrides().args());
    }

    @Test
    void mistakesAreOneLineAsGoPrintsThem() {
        UsageException unknown = refused("-nope=1", "80");
        assertEquals("flag provided but not defined: -nope", unknown.getMessage());
        assertEquals(2, unknown.status());
        assertTrue(unknown.showUsage());
        assertEquals("flag needs an argument: -subdomain", refused("-subdomain").getMessage());
        assertEquals("invalid boolean value for flag -tls-skip-verify: maybe",
                refused("-tls-skip-verify=maybe", "80").getMessage());
        UsageException nothing = refused();
        assertEquals(1, nothing.status());
        assertTrue(nothing.getMessage().startsWith("Error: Specify a local port to tunnel to, or an ngrok command."));
    }

    @Test
    void usageListsEveryFlagWithItsDefault() {
        String usage = CommandLineParser.usage("tunneld client");
        for (String flag : List.of("-authtoken=\"\"", "-config=\"\"", "-hostname=\"\"", "-httpauth=\"\"", "-log=\"none\"",
                "-log-level=\"DEBUG\"", "-proto=\"http+https\"", "-subdomain=\"\"", "-tls-ca-file=\"\"",
                "-tls-skip-verify:")) {
            assertTrue(usage.contains("\n  " + flag), flag);
        }
        assertTrue(usage.startsWith("Usage: tunneld client [OPTIONS] <local port or address>\n"));
    }
}

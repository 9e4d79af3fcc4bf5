package io.tunneld.client.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tunneld.client.config.Overrides;
import io.tunneld.client.tls.ServerTrust;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/**
 * The ngrok 1.7 client's command line, parsed as Go's {@code flag} package parses it: flags
 * take one or two dashes, values after '=' or as the next argument, boolean flags stand alone
 * (or take {@code =true}/{@code =false}), and flags end at the first argument that is not one.
 * Built with picocli's programmatic API (no annotations, no reflection), so that it works
 * unchanged in a native image.
 */
public final class CommandLineParser {

    /** A flag: its name without dashes, its default, and 1.7's help text. */
    record Flag(String name, String defaultValue, String help, boolean bool) {
    }

    /** The flags, in the order Go prints them (alphabetical). */
    static final List<Flag> FLAGS = List.of(
            new Flag("authtoken", "", "Authentication token for identifying an ngrok.com account", false),
            new Flag("config", "", "Path to ngrok configuration file. (default: $HOME/.ngrok)", false),
            new Flag("hostname", "", "Request a custom hostname from the ngrok server. (HTTP only) (requires CNAME of"
                    + " your DNS)", false),
            new Flag("httpauth", "", "username:password HTTP basic auth creds protecting the public tunnel endpoint",
                    false),
            new Flag("log", "none", "Write log messages to this file. 'stdout' and 'none' have special meanings", false),
            new Flag("log-level", "DEBUG", "The level of messages to log. One of: DEBUG, INFO, WARNING, ERROR", false),
            new Flag("proto", "http+https", "The protocol of the traffic over the tunnel {'http', 'https', 'tcp'}"
                    + " (default: 'http+https')", false),
            new Flag("subdomain", "", "Request a custom subdomain from the ngrok server. (HTTP only)", false),
            new Flag("tls-ca-file", "", "PEM file of the CA(s) that sign the server's certificate (default: the"
                    + " system's trusted CAs)", false),
            new Flag("tls-skip-verify", "false", "Accept any server certificate: for development only (also "
                    + ServerTrust.SKIP_VERIFY_ENV + "=true)", true));

    private CommandLineParser() {
    }

    /** What the command line asks for. */
    public record Parsed(Overrides overrides, String log, String logLevel) {
    }

    /**
     * Parses the arguments after {@code client}.
     *
     * @param env the environment ({@value ServerTrust#SKIP_VERIFY_ENV})
     * @throws UsageException for help and version (status 0) as for errors
     */
    public static Parsed parse(String[] args, Map<String, String> env) throws UsageException {
        CommandSpec spec = CommandSpec.create();
        for (Flag f : FLAGS) {
            OptionSpec.Builder b = OptionSpec.builder("-" + f.name(), "--" + f.name()).description(f.help());
            if (f.bool()) {
                b.type(boolean.class).arity("0..1").defaultValue("false");
            } else {
                b.type(String.class).arity("1").defaultValue(f.defaultValue());
            }
            spec.addOption(b.build());
        }
        spec.addOption(OptionSpec.builder("-h", "-help", "--help").usageHelp(true).build());
        spec.addPositional(PositionalParamSpec.builder().arity("0..*").type(String[].class).build());
        CommandLine cl = new CommandLine(spec)
                .setStopAtPositional(true)
                .setOverwrittenOptionsAllowed(true)
                .setPosixClusteredShortOptionsAllowed(false)
                .setAbbreviatedOptionsAllowed(false)
                .setUnmatchedArgumentsAllowed(false)
                .setUnmatchedOptionsArePositionalParams(false)
                .setTrimQuotes(false);
        ParseResult r;
        try {
            r = cl.parseArgs(args);
        } catch (CommandLine.UnmatchedArgumentException e) {
            String arg = e.getUnmatched().isEmpty() ? "" : e.getUnmatched().get(0);
            throw new UsageException("flag provided but not defined: " + arg.replaceFirst("=.*", ""), 2, true);
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(goMessage(e), 2, true);
        }
        if (r.isUsageHelpRequested()) {
            throw new UsageException("", 0, true);
        }
        List<String> rest = new ArrayList<>(r.matchedPositionals().isEmpty() ? List.of()
                : List.of((String[]) r.matchedPositionals().get(0).getValue()));
        String command = rest.isEmpty() ? "" : rest.get(0);
        List<String> commandArgs;
        switch (command) {
            case "list", "start", "start-all" -> commandArgs = rest.subList(1, rest.size());
            case "version" -> throw new UsageException(VERSION, 0, false);
            case "help" -> throw new UsageException("", 0, true);
            case "" -> throw new UsageException("Error: Specify a local port to tunnel to, or an ngrok command.\n\n"
                    + "Example: To expose port 80, run 'ngrok 80'", 1, false);
            default -> {
                if (rest.size() > 1) {
                    throw new UsageException("You may only specify one port to tunnel to on the command line, got "
                            + rest.size() + ": [" + String.join(" ", rest) + "]", 1, false);
                }
                command = "default";
                commandArgs = rest;
            }
        }
        boolean skip = r.matchedOptionValue("-tls-skip-verify", false)
                || "true".equalsIgnoreCase(env.getOrDefault(ServerTrust.SKIP_VERIFY_ENV, "").trim());
        Overrides o = new Overrides(value(r, "config"), command, commandArgs, value(r, "authtoken"),
                value(r, "subdomain"), value(r, "hostname"), value(r, "httpauth"), value(r, "proto"), skip,
                value(r, "tls-ca-file"));
        return new Parsed(o, value(r, "log"), value(r, "log-level"));
    }

    /** What {@code version} prints: the 1.x client version this client is a drop-in for. */
    static final String VERSION = "1.7";

    private static String value(ParseResult r, String name) {
        return r.commandSpec().findOption("-" + name).getValue();
    }

    private static String goMessage(CommandLine.ParameterException e) {
        String m = e.getMessage();
        Matcher option = Pattern.compile("option '-+([^']+)'").matcher(m);
        String flag = option.find() ? option.group(1) : "?";
        if (m.startsWith("Missing required parameter for option")) {
            return "flag needs an argument: -" + flag;
        }
        if (m.startsWith("Invalid value for option")) {
            return "invalid boolean value for flag -" + flag + ": " + m.replaceFirst(".*: '([^']*)'.*", "$1");
        }
        return m;
    }

    /** Go's {@code flag.Usage} as the 1.7 client prints it, with {@code name} for os.Args[0]. */
    public static String usage(String name) {
        StringBuilder b = new StringBuilder("Usage: " + name + " [OPTIONS] <local port or address>\nOptions:\n");
        for (Flag f : FLAGS) {
            b.append("  -").append(f.name()).append(f.bool() ? "" : "=\"" + f.defaultValue() + "\"").append(": ")
                    .append(f.help()).append('\n');
        }
        return b.append("\nExamples:\n")
                .append("\t" + name + " 80\n")
                .append("\t" + name + " -subdomain=example 8080\n")
                .append("\t" + name + " -proto=tcp 22\n")
                .append("\t" + name + " -hostname=\"example.com\" -httpauth=\"user:password\" 10.0.0.1\n\n\n")
                .append("Advanced usage: " + name + " [OPTIONS] <command> [command args] [...]\nCommands:\n")
                .append("\t" + name + " start [tunnel] [...]    Start tunnels by name from config file\n")
                .append("\t" + name + " start-all               Start all tunnels defined in config file\n")
                .append("\t" + name + " list                    List tunnel names from config file\n")
                .append("\t" + name + " help                    Print help\n")
                .append("\t" + name + " version                 Print ngrok version\n\n")
                .append("Examples:\n")
                .append("\t" + name + " start www api blog pubsub\n")
                .append("\t" + name + " -log=stdout -config=ngrok.yml start ssh\n")
                .append("\t" + name + " start-all\n")
                .append("\t" + name + " version\n\n")
                .toString();
    }
}

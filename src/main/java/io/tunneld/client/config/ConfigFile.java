package io.tunneld.client.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads the ngrok 1.7 client's YAML file (by default ~/.ngrok). Walks the YAML tree by hand
 * rather than binding classes, so that every unknown key or wrongly typed value gets its own
 * one-line error (and nothing needs reflection in a native image).
 */
public final class ConfigFile {

    private static final YAMLMapper YAML = new YAMLMapper();

    /**
     * 1.x's earliest ~/.ngrok held nothing but the token; 1.7 still reads those. (1.7's pattern
     * also took a bare YAML "---" for a token; here a token has a letter or digit.)
     */
    private static final Pattern BARE_TOKEN = Pattern.compile("^[0-9a-zA-Z_\\-!]*[0-9a-zA-Z][0-9a-zA-Z_\\-!]*$");

    private static final Set<String> TOP_KEYS = Set.of("server_addr", "auth_token", "trust_host_root_certs",
            "http_proxy", "inspect_addr", "tunnels", "tls_ca_file");

    private static final Set<String> TUNNEL_KEYS = Set.of("proto", "subdomain", "hostname", "auth", "remote_port");

    private ConfigFile() {
    }

    /** ~/.ngrok, as 1.x looks for it. */
    public static Path defaultPath() {
        return Path.of(System.getProperty("user.home"), ".ngrok");
    }

    /**
     * Reads {@code named} (or ~/.ngrok if empty). A missing default file is an empty
     * configuration; a missing named file is an error, as in 1.x.
     *
     * @param env the process environment ({@code http_proxy} is the proxy when the file has none)
     */
    public static ClientConfig read(String named, Map<String, String> env) throws ConfigException {
        Path path = named.isEmpty() ? defaultPath() : Path.of(named);
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            if (!named.isEmpty()) {
                throw new ConfigException("Failed to read configuration file " + path + ": no such file");
            }
            text = "";
        } catch (IOException e) {
            if (!named.isEmpty()) {
                throw new ConfigException("Failed to read configuration file " + path + ": " + e.getMessage());
            }
            text = "";
        }
        return parse(text, path.toString(), env);
    }

    /** Parses the file's text; {@code path} is only for messages and {@link ClientConfig#path()}. */
    public static ClientConfig parse(String text, String path, Map<String, String> env) throws ConfigException {
        if (BARE_TOKEN.matcher(text.strip()).matches()) {
            return defaults(text.strip(), "", false, "", "", "", List.of(), path, env);
        }
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JacksonException e) {
            throw new ConfigException("Error parsing configuration file " + path + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse("not YAML")
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return defaults("", "", false, "", "", "", List.of(), path, env);
        }
        Where top = new Where(path, "");
        top.requireMapping(root);
        top.onlyKeys(root, TOP_KEYS);
        List<TunnelConfig> tunnels = new ArrayList<>();
        JsonNode tunnelsNode = root.get("tunnels");
        if (tunnelsNode != null && !tunnelsNode.isNull()) {
            Where at = top.in("tunnels");
            at.requireMapping(tunnelsNode);
            for (Iterator<Map.Entry<String, JsonNode>> it = tunnelsNode.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                tunnels.add(tunnel(e.getKey(), e.getValue(), at.in(e.getKey())));
            }
        }
        return defaults(top.string(root, "auth_token"), top.string(root, "server_addr"),
                top.bool(root, "trust_host_root_certs"), top.string(root, "http_proxy"),
                top.string(root, "inspect_addr"), top.string(root, "tls_ca_file"), tunnels, path, env);
    }

    private static ClientConfig defaults(String token, String serverAddr, boolean trustHostRoots, String httpProxy,
            String inspectAddr, String caFile, List<TunnelConfig> tunnels, String path, Map<String, String> env)
            throws ConfigException {
        String server = Addresses.normalize(serverAddr.isEmpty() ? ClientConfig.DEFAULT_SERVER_ADDR : serverAddr,
                "server_addr");
        String inspect = inspectAddr.isEmpty() ? ClientConfig.DEFAULT_INSPECT_ADDR : inspectAddr;
        if (!inspect.equals("disabled")) {
            inspect = Addresses.normalize(inspect, "inspect_addr");
        }
        String proxy = httpProxy.isEmpty() ? env.getOrDefault("http_proxy", "") : httpProxy;
        if (!proxy.isEmpty()) {
            checkProxy(proxy);
        }
        return new ClientConfig(server, token, trustHostRoots, proxy, inspect, caFile, false, tunnels, path);
    }

    private static void checkProxy(String proxy) throws ConfigException {
        URI uri;
        try {
            uri = new URI(proxy);
        } catch (URISyntaxException e) {
            throw new ConfigException("Invalid http_proxy '" + redactUser(proxy) + "': " + e.getReason());
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new ConfigException("Proxy URL scheme must be http or https, got: " + uri.getScheme());
        }
        if (uri.getHost() == null) {
            throw new ConfigException("Invalid http_proxy '" + redactUser(proxy) + "': no host");
        }
    }

    /** The URL without its {@code user:password@}. */
    public static String redactUser(String url) {
        return url.replaceFirst("//[^/@]*@", "//***@");
    }

    private static TunnelConfig tunnel(String name, JsonNode node, Where at) throws ConfigException {
        if (node == null || node.isNull()) {
            throw new ConfigException("Tunnel " + name + " does not specify any protocols to tunnel.");
        }
        at.requireMapping(node);
        at.onlyKeys(node, TUNNEL_KEYS);
        JsonNode proto = node.get("proto");
        if (proto == null || proto.isNull() || proto.isEmpty()) {
            throw new ConfigException("Tunnel " + name + " does not specify any protocols to tunnel.");
        }
        Where protoAt = at.in("proto");
        protoAt.requireMapping(proto);
        Map<String, String> protocols = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = proto.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String what = "for tunnel " + name + "[" + e.getKey() + "]";
            checkProtocol(e.getKey(), what);
            String address = Addresses.normalize(protoAt.string(proto, e.getKey()), what);
            // "http+https: 80" is the two protocols to one address.
            for (String p : e.getKey().split("\\+")) {
                protocols.put(p, address);
            }
        }
        String subdomain = at.string(node, "subdomain");
        String hostname = at.string(node, "hostname");
        if (subdomain.isEmpty() && hostname.isEmpty()) {
            // As 1.x: the tunnel's name is its subdomain, or its hostname if it has a dot.
            if (name.contains(".")) {
                hostname = name;
            } else {
                subdomain = name;
            }
        }
        int remotePort = at.integer(node, "remote_port", 0, 0xFFFF);
        return new TunnelConfig(name, protocols, subdomain, hostname, at.string(node, "auth"), remotePort);
    }

    /** 1.x's protocol check: {@code what} names where it was written. */
    static void checkProtocol(String proto, String what) throws ConfigException {
        switch (proto) {
            case "http", "https", "http+https", "tcp" -> {
            }
            default -> throw new ConfigException("Invalid protocol for " + what + ": " + proto);
        }
    }

    /** A place in the file, for messages: "~/.ngrok: tunnels.www.remote_port". */
    private record Where(String path, String key) {

        Where in(String child) {
            return new Where(path, key.isEmpty() ? child : key + "." + child);
        }

        private String at(String child) {
            return path + ": " + (key.isEmpty() ? child : key + "." + child);
        }

        void requireMapping(JsonNode node) throws ConfigException {
            if (!node.isObject()) {
                throw new ConfigException("Error parsing configuration file " + path + ": "
                        + (key.isEmpty() ? "the top level" : key) + " must be a mapping of keys to values");
            }
        }

        void onlyKeys(JsonNode node, Set<String> known) throws ConfigException {
            for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
                String k = it.next();
                if (!known.contains(k)) {
                    throw new ConfigException("Error parsing configuration file " + at(k) + ": unknown key (known: "
                            + String.join(", ", known.stream().sorted().toList()) + ")");
                }
            }
        }

        String string(JsonNode parent, String child) throws ConfigException {
            JsonNode v = parent.get(child);
            if (v == null || v.isNull()) {
                return "";
            }
            if (!v.isValueNode()) {
                throw new ConfigException("Error parsing configuration file " + at(child) + ": expected a single value");
            }
            return v.asText();
        }

        boolean bool(JsonNode parent, String child) throws ConfigException {
            JsonNode v = parent.get(child);
            if (v == null || v.isNull()) {
                return false;
            }
            if (v.isBoolean()) {
                return v.booleanValue();
            }
            throw new ConfigException("Error parsing configuration file " + at(child) + ": expected true or false, got '"
                    + v.asText() + "'");
        }

        int integer(JsonNode parent, String child, int min, int max) throws ConfigException {
            JsonNode v = parent.get(child);
            if (v == null || v.isNull()) {
                return 0;
            }
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
                throw new ConfigException("Error parsing configuration file " + at(child) + ": expected a number from "
                        + min + " to " + max + ", got '" + v.asText() + "'");
            }
            return v.intValue();
        }
    }
}

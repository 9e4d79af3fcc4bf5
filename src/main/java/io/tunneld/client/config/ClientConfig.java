package io.tunneld.client.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the client runs with: the file's settings (1.7's {@code Configuration}) with the
 * command line applied.
 *
 * @param serverAddr         {@code host:port} of the server's tunnel port
 * @param authToken          sent as Auth.User; may be empty
 * @param trustHostRootCerts with a CA file, also trust the system's roots
 * @param httpProxy          {@code http[s]://[user:pass@]host:port} to CONNECT through, or empty
 * @param inspectAddr        where the inspection page listens, or "disabled"
 * @param tlsCaFile          PEM file of the CAs to trust instead of the system's, or empty
 * @param tlsSkipVerify      accept any server certificate
 * @param tunnels            the tunnels to ask for, in the file's order
 * @param path               the configuration file read (or looked for)
 */
public record ClientConfig(String serverAddr, String authToken, boolean trustHostRootCerts, String httpProxy,
        String inspectAddr, String tlsCaFile, boolean tlsSkipVerify, List<TunnelConfig> tunnels, String path) {

    /** Where tunneld's server listens for clients when started with no settings. */
    public static final String DEFAULT_SERVER_ADDR = "localhost:4443";

    /** As 1.x: the inspection page's default address. */
    public static final String DEFAULT_INSPECT_ADDR = "127.0.0.1:4040";

    public ClientConfig {
        tunnels = List.copyOf(tunnels);
    }

    /**
     * This configuration with the command line applied, as 1.7's {@code LoadConfiguration}
     * does: a port on the command line makes the one tunnel "default"; {@code start} keeps the
     * tunnels named; {@code start-all} keeps them all.
     */
    public ClientConfig with(Overrides o) throws ConfigException {
        String token = o.authtoken().isEmpty() ? authToken : o.authtoken();
        String caFile = o.tlsCaFile().isEmpty() ? tlsCaFile : o.tlsCaFile();
        List<TunnelConfig> chosen;
        switch (o.command()) {
            case "default" -> {
                Map<String, String> protocols = new LinkedHashMap<>();
                for (String proto : o.proto().split("\\+", -1)) {
                    ConfigFile.checkProtocol(proto, "default");
                    protocols.put(proto, Addresses.normalize(o.args().get(0), ""));
                }
                chosen = List.of(new TunnelConfig("default", protocols, o.subdomain(), o.hostname(), o.httpauth(), 0));
            }
            case "start" -> {
                if (o.args().isEmpty()) {
                    throw new ConfigException("You must specify at least one tunnel to start");
                }
                chosen = new ArrayList<>();
                for (String name : o.args()) {
                    TunnelConfig t = tunnels.stream().filter(c -> c.name().equals(name)).findFirst()
                            .orElseThrow(() -> new ConfigException("Requested to start tunnel " + name
                                    + " which is not defined in the config file."));
                    if (!chosen.contains(t)) {
                        chosen.add(t);
                    }
                }
            }
            case "start-all", "list" -> chosen = tunnels;
            default -> throw new ConfigException("Unknown command: " + o.command());
        }
        return new ClientConfig(serverAddr, token, trustHostRootCerts, httpProxy, inspectAddr, caFile,
                tlsSkipVerify || o.tlsSkipVerify(), chosen, path);
    }

    /** Never print the token or a proxy password. */
    @Override
    public String toString() {
        return "ClientConfig[serverAddr=" + serverAddr + ", tunnels=" + tunnels + ", path=" + path + "]";
    }
}

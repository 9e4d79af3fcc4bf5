package io.tunneld.client.config;

import java.util.List;

/**
 * What the command line says, which the file's settings give way to (1.x's {@code Options}).
 *
 * @param config        the file named by {@code -config}, or empty for ~/.ngrok
 * @param command       "default" (a port on the command line), "start", "start-all" or "list"
 * @param args          the port for "default", tunnel names for "start"
 * @param proto         {@code -proto}: http, https, tcp or protocols joined with '+'
 * @param tlsSkipVerify {@code -tls-skip-verify} or {@code TUNNELD_CLIENT_TLS_SKIP_VERIFY=true}
 * @param tlsCaFile     {@code -tls-ca-file}, or empty
 */
public record Overrides(String config, String command, List<String> args, String authtoken, String subdomain,
        String hostname, String httpauth, String proto, boolean tlsSkipVerify, String tlsCaFile) {

    public Overrides {
        args = List.copyOf(args);
    }

    @Override
    public String toString() {
        return "Overrides[config=" + config + ", command=" + command + ", args=" + args + ", proto=" + proto + "]";
    }
}

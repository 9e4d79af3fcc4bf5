package io.tunneld.client.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

import io.tunneld.client.observe.ClientObserver;
import io.tunneld.client.observe.OpenTunnel;

/**
 * What the client prints when its log does not go to stdout: one line per tunnel opened and
 * per reconnection, so a person sees the URLs without {@code -log=stdout}.
 */
public final class PlainStatus implements ClientObserver {

    private final PrintStream out;

    public PlainStatus(PrintStream out) {
        this.out = out;
    }

    @Override
    public void tunnelOpened(OpenTunnel tunnel) {
        out.println("Forwarding " + tunnel.publicUrl() + " -> " + tunnel.localAddress());
    }

    @Override
    public void reconnecting(String reason, Duration delay) {
        out.println(reason + ". Reconnecting in " + String.format(Locale.ROOT, "%.1f", delay.toMillis() / 1000.0)
                + " s");
    }
}

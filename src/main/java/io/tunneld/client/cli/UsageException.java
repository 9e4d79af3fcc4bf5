package io.tunneld.client.cli;

/** A command line the client cannot run: the message to print and the exit status. */
public final class UsageException extends Exception {

    private final int status;
    private final boolean showUsage;

    UsageException(String message, int status, boolean showUsage) {
        super(message);
        this.status = status;
        this.showUsage = showUsage;
    }

    public int status() {
        return status;
    }

    /** True when the usage text follows the message (as Go's flag package does). */
    public boolean showUsage() {
        return showUsage;
    }
}

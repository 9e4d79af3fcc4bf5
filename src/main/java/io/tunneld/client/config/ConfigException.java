package io.tunneld.client.config;

/** A configuration the client cannot run with; the message is the one line the user sees. */
public final class ConfigException extends Exception {

    public ConfigException(String message) {
        super(message);
    }
}

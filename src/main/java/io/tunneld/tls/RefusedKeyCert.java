package io.tunneld.tls;

import javax.net.ssl.KeyManagerFactory;

import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;

/**
 * Key material for certificate files that cannot be served: a listener given it fails to
 * start with the reason, which the start-up log and the readiness check then show.
 */
record RefusedKeyCert(String reason) implements KeyCertOptions {

    @Override
    public KeyCertOptions copy() {
        return this;
    }

    @Override
    public KeyManagerFactory getKeyManagerFactory(Vertx vertx) throws UnusableTlsFilesException {
        throw new UnusableTlsFilesException(reason);
    }
}

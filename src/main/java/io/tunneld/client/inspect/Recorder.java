package io.tunneld.client.inspect;

/** Where a tap puts what it records. Called on event loops: returns at once. */
interface Recorder {

    /** A new exchange's id. */
    long nextId();

    /** An exchange, new or updated (same id). */
    void record(Exchange exchange);

    /** The tap stopped for good (its connection closed or it gave up). */
    void tapEnded();
}

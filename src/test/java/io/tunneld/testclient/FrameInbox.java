package io.tunneld.testclient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Received frames, one FIFO per type, so that waiting for one type never consumes frames of
 * another; plus the full arrival log for order assertions.
 */
final class FrameInbox {

    /** How often a waiter re-checks whether more frames can still arrive. */
    private static final long SLICE_MILLIS = 50;

    private final Map<String, BlockingQueue<Frame>> byType = new ConcurrentHashMap<>();
    private final List<Frame> log = new ArrayList<>();

    void add(Frame frame) {
        synchronized (log) {
            log.add(frame);
        }
        queue(frame.type()).add(frame);
    }

    /**
     * Next frame of {@code type}, or {@code null} after {@code timeout}, or earlier once
     * {@code finished} says no more frames will come and none is queued.
     */
    Frame take(String type, Duration timeout, BooleanSupplier finished) throws InterruptedException {
        BlockingQueue<Frame> queue = queue(type);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return queue.poll();
            }
            boolean done = finished.getAsBoolean();
            Frame frame = queue.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(SLICE_MILLIS)), TimeUnit.NANOSECONDS);
            if (frame != null || done) {
                return frame;
            }
        }
    }

    List<Frame> all() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    private BlockingQueue<Frame> queue(String type) {
        return byType.computeIfAbsent(type, key -> new LinkedBlockingQueue<>());
    }
}

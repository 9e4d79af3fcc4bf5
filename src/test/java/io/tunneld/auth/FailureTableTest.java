package io.tunneld.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The throttle's bookkeeping: budget, window, and a bounded table with its eviction rule. */
class FailureTableTest {

    private final AtomicLong now = new AtomicLong();
    private final FailureTable table = new FailureTable(100, 3, Duration.ofMinutes(10), now::get);

    @Test
    void aKeyIsUnderPenaltyOnceItsBudgetIsUsedUp() {
        assertEquals(0, table.overBudget("a"), "no failure yet");
        table.fail("a");
        table.fail("a");
        assertEquals(0, table.overBudget("a"), "within the budget of 3");
        assertEquals(3, table.fail("a"));
        assertEquals(1, table.overBudget("a"));
        table.fail("a");
        assertEquals(2, table.overBudget("a"), "one more per further failure");
        assertEquals(0, table.overBudget("b"), "other keys are not affected");
    }

    @Test
    void failuresAreForgottenAWindowAfterTheLatest() {
        for (int i = 0; i < 3; i++) {
            table.fail("a");
        }
        now.addAndGet(Duration.ofMinutes(9).toNanos());
        table.fail("a");
        now.addAndGet(Duration.ofMinutes(9).toNanos());
        assertEquals(2, table.overBudget("a"), "the window counts from the latest failure");
        now.addAndGet(Duration.ofMinutes(2).toNanos());
        assertEquals(0, table.overBudget("a"));
        assertEquals(0, table.size(), "and the key is gone");
        assertEquals(1, table.fail("a"), "counting starts afresh");
    }

    @Test
    void manyKeysNeverGrowTheTableBeyondItsCapacity() {
        for (int i = 0; i < 100_000; i++) {
            table.fail("10." + (i >> 16) + "." + (i >> 8 & 0xff) + "." + (i & 0xff));
            assertTrue(table.size() <= 100, "size " + table.size() + " after " + (i + 1) + " keys");
        }
        assertEquals(100, table.size());
    }

    @Test
    void aKeyUnderPenaltyOutlivesAFloodOfKeysWithFewFailures() {
        for (int i = 0; i < 5; i++) {
            table.fail("guesser");
        }
        for (int i = 0; i < 10_000; i++) {
            now.incrementAndGet();
            table.fail("flood-" + i);
        }
        assertEquals(3, table.overBudget("guesser"), "penalty kept, though its latest failure is the oldest");
        assertEquals(0, table.overBudget("flood-0"), "the oldest key not under penalty went first");
    }

    @Test
    void whenEveryKeyIsUnderPenaltyTheOldestGoesFirst() {
        for (int i = 0; i < 101; i++) {
            now.incrementAndGet();
            for (int j = 0; j < 3; j++) {
                table.fail("key-" + i);
            }
        }
        assertEquals(100, table.size());
        assertEquals(0, table.overBudget("key-0"), "evicted");
        assertEquals(1, table.overBudget("key-1"));
        assertEquals(1, table.overBudget("key-100"));
    }
}

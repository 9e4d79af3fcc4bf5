package io.tunneld.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.logging.Level;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import io.tunneld.testsupport.LogRecords;

/** A burst of refusals makes one line at INFO, not one each. */
class RefusalLogTest {

    @Test
    void theFirstRefusalOfABurstIsLoggedAndTheRestOfTheMinuteIsNot() {
        RefusalLog refusals = new RefusalLog(Logger.getLogger("io.tunneld.test.refusals"));
        try (LogRecords records = new LogRecords()) {
            for (int i = 0; i < 100; i++) {
                refusals.refused("connection %d refused", i);
            }
            List<String> info = records.lines().stream().filter(line -> line.level().intValue() == Level.INFO.intValue())
                    .map(LogRecords.Line::text).filter(text -> text.contains("refused")).toList();
            assertEquals(List.of("connection 0 refused"), info);
        }
    }
}

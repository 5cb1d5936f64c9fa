package dev.ollamachat.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class ExportFailureLogFilterTest {

    private static LogRecord exportFailure() {
        LogRecord record = new LogRecord(Level.WARNING, "Failed to export TraceRequestMarshaler. Connection refused");
        record.setLoggerName("io.quarkus.opentelemetry.runtime.exporter.otlp.sender.VertxHttpSender");
        record.setThrown(new IllegalStateException("boom"));
        return record;
    }

    @Test
    void onlyTheFirstOfABurstOfExportFailuresIsLoggedAndWithoutStackTrace() {
        ExportFailureLogFilter filter = new ExportFailureLogFilter();
        LogRecord first = exportFailure();
        assertTrue(filter.isLoggable(first));
        assertNull(first.getThrown(), "no stack trace");
        assertTrue(first.getMessage().contains("chats are not affected"));
        int passed = 0;
        for (int i = 0; i < 50; i++) {
            passed += filter.isLoggable(exportFailure()) ? 1 : 0;
        }
        assertEquals(0, passed, "the rest of the burst is held back");
    }

    @Test
    void otherLogRecordsPassUntouched() {
        ExportFailureLogFilter filter = new ExportFailureLogFilter();
        LogRecord other = new LogRecord(Level.WARNING, "something else");
        other.setLoggerName("dev.ollamachat.api.ProblemMappers");
        for (int i = 0; i < 5; i++) {
            assertTrue(filter.isLoggable(other));
        }
        assertEquals("something else", other.getMessage());
    }
}

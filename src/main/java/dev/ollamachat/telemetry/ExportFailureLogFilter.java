package dev.ollamachat.telemetry;

import io.quarkus.logging.LoggingFilter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * When Phoenix is down, the OTLP exporter warns on every failed batch. This lets one such warning through per
 * minute, says how many were held back, and drops their stack traces; chats are not affected either way.
 */
@LoggingFilter(name = "telemetry-export-failures")
public final class ExportFailureLogFilter implements Filter {

    static final long INTERVAL_NANOS = 60_000_000_000L;
    private final AtomicLong nextAllowedNanos = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    @Override
    public boolean isLoggable(LogRecord record) {
        if (!isExportFailure(record)) {
            return true;
        }
        long now = System.nanoTime();
        long allowedAt = nextAllowedNanos.get();
        if ((allowedAt != Long.MIN_VALUE && now - allowedAt < 0) || !nextAllowedNanos.compareAndSet(allowedAt,
                now + INTERVAL_NANOS)) {
            suppressed.incrementAndGet();
            return false;
        }
        long held = suppressed.getAndSet(0);
        record.setThrown(null);
        record.setLevel(Level.WARNING);
        record.setMessage("Trace export to Phoenix failed; chats are not affected and spans are dropped when the "
                + "queue is full (" + held + " similar warnings held back). " + record.getMessage());
        return true;
    }

    private static boolean isExportFailure(LogRecord record) {
        String logger = record.getLoggerName();
        if (logger == null || record.getLevel().intValue() < Level.WARNING.intValue()) {
            return false;
        }
        return logger.startsWith("io.quarkus.opentelemetry.runtime.exporter")
                || logger.startsWith("io.opentelemetry.exporter")
                || logger.startsWith("io.opentelemetry.sdk.trace.export");
    }
}

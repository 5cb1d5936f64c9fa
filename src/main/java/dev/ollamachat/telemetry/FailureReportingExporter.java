package dev.ollamachat.telemetry;

import io.opentelemetry.exporter.internal.FailedExportException;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Decorates the exporter to Phoenix: an export that failed (Phoenix down, answering 5xx, or not answering in time) is
 * reported as one warning a minute, saying why and how many spans were lost since the last warning; chats are never
 * affected. When exports succeed again after a failure, that is said once too.
 */
final class FailureReportingExporter implements SpanExporter {

    private static final Logger LOG = Logger.getLogger(FailureReportingExporter.class);
    static final long INTERVAL_NANOS = Duration.ofMinutes(1).toNanos();

    private final SpanExporter delegate;
    private final String endpoint;
    private final Duration timeout;
    private final AtomicLong nextWarningNanos = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong failedExports = new AtomicLong();
    private final AtomicLong lostSpans = new AtomicLong();
    private final AtomicBoolean failing = new AtomicBoolean();

    FailureReportingExporter(SpanExporter delegate, String endpoint, Duration timeout) {
        this.delegate = delegate;
        this.endpoint = endpoint;
        this.timeout = timeout;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        CompletableResultCode result = delegate.export(spans);
        int count = spans.size();
        result.whenComplete(() -> {
            if (result.isSuccess()) {
                succeeded();
            } else {
                failed(result.getFailureThrowable(), count);
            }
        });
        return result;
    }

    private void succeeded() {
        if (failing.compareAndSet(true, false)) {
            LOG.infof("Trace export to Phoenix at %s works again (%d span(s) lost before)", endpoint,
                    lostSpans.getAndSet(0));
            failedExports.set(0);
            nextWarningNanos.set(Long.MIN_VALUE);
        }
    }

    private void failed(Throwable failure, int spans) {
        failing.set(true);
        long failures = failedExports.incrementAndGet();
        long lost = lostSpans.addAndGet(spans);
        long now = System.nanoTime();
        long allowedAt = nextWarningNanos.get();
        boolean due = allowedAt == Long.MIN_VALUE || now - allowedAt >= 0;
        if (due && nextWarningNanos.compareAndSet(allowedAt, now + INTERVAL_NANOS)) {
            LOG.warnf("Trace export to Phoenix at %s failed: %s. Chats are not affected; %d span(s) lost in %d failed "
                    + "exports so far (next report in a minute at the earliest)", endpoint, reason(failure), lost,
                    failures);
        }
    }

    private String reason(Throwable failure) {
        if (failure instanceof FailedExportException.HttpExportException http && http.failedWithResponse()) {
            int status = http.getResponse().statusCode();
            return "it answered HTTP " + status + (status == 503 ? " (its queue is full or it is starting)" : "");
        }
        Throwable root = failure;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException)) {
                return "no answer within " + timeout.toMillis() + " ms (OTEL_EXPORTER_OTLP_TIMEOUT)";
            }
            if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException) {
                return "cannot connect";
            }
            root = cause;
        }
        if (root == null) {
            return "unknown failure";
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    @Override
    public CompletableResultCode flush() {
        return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return delegate.shutdown();
    }
}

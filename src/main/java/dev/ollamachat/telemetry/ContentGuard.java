package dev.ollamachat.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Keeps user text out of spans this service does not write itself when content capture is off: the query string of
 * an HTTP server span (where {@code GET /api/chat/stream?message=...} carries the message) is redacted.
 */
@ApplicationScoped
class ContentGuard implements SpanProcessor {

    private static final AttributeKey<String> URL_QUERY = AttributeKey.stringKey("url.query");
    private static final AttributeKey<String> HTTP_TARGET = AttributeKey.stringKey("http.target");
    private static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");

    private final boolean redact;

    ContentGuard(ContentPolicy content) {
        this.redact = !content.capturesContent();
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        if (!redact) {
            return;
        }
        if (span.getAttribute(URL_QUERY) != null) {
            span.setAttribute(URL_QUERY, SpanNames.REDACTED);
        }
        redactQuery(span, HTTP_TARGET);
        redactQuery(span, URL_FULL);
    }

    private static void redactQuery(ReadWriteSpan span, AttributeKey<String> key) {
        String value = span.getAttribute(key);
        if (value != null && value.contains("?")) {
            span.setAttribute(key, value.substring(0, value.indexOf('?')) + "?" + SpanNames.REDACTED);
        }
    }

    @Override
    public boolean isStartRequired() {
        return redact;
    }

    @Override
    public void onEnd(ReadableSpan span) {
    }

    @Override
    public boolean isEndRequired() {
        return false;
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}

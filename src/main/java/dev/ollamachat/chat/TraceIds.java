package dev.ollamachat.chat;

import dev.ollamachat.telemetry.ChatTelemetry;
import io.opentelemetry.api.trace.Span;

/** The trace a reply belongs to, and its Phoenix link; both null when the span is not recorded. */
record TraceIds(String traceId, String traceUrl) {

    static TraceIds of(Span span, ChatTelemetry telemetry) {
        if (!span.getSpanContext().isValid()) {
            return new TraceIds(null, null);
        }
        String traceId = span.getSpanContext().getTraceId();
        return new TraceIds(traceId, telemetry.traceUrl(traceId).orElse(null));
    }
}

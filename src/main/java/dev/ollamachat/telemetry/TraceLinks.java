package dev.ollamachat.telemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import jakarta.enterprise.context.ApplicationScoped;

/** The trace a request is recorded in, and its Phoenix link, for replies to name. */
@ApplicationScoped
public class TraceLinks {

    private final ChatTelemetry telemetry;

    TraceLinks(ChatTelemetry telemetry) {
        this.telemetry = telemetry;
    }

    /** The current request's trace; both fields null when telemetry is off or nothing is recorded. */
    public TraceIds current() {
        SpanContext context = Span.current().getSpanContext();
        if (!telemetry.enabled() || !context.isValid()) {
            return new TraceIds(null, null);
        }
        String traceId = context.getTraceId();
        return new TraceIds(traceId, telemetry.traceUrl(traceId).orElse(null));
    }

    public record TraceIds(String traceId, String traceUrl) {
    }
}

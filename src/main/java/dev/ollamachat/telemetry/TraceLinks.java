package dev.ollamachat.telemetry;

import dev.ollamachat.config.ChatConfig;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** The trace a request is recorded in, and its Phoenix link, for replies to name. */
@ApplicationScoped
public class TraceLinks {

    private final ChatTelemetry telemetry;
    private final OpenTelemetry openTelemetry;
    private final Optional<String> phoenixBase;

    TraceLinks(ChatTelemetry telemetry, OpenTelemetry openTelemetry, ChatConfig config) {
        this.telemetry = telemetry;
        this.openTelemetry = openTelemetry;
        this.phoenixBase = Optional.ofNullable(TelemetryExportConfig.exporterBase(config.telemetry().endpoint()));
    }

    /** False when TELEMETRY_ENABLED=false or OTEL_SDK_DISABLED=true. */
    public boolean enabled() {
        return telemetry.enabled();
    }

    /** The Phoenix that PHOENIX_ENDPOINT names, without "/v1/traces": where its REST API is. */
    public Optional<String> phoenixBase() {
        return phoenixBase;
    }

    /** Exports the spans that wait in the batch now, rather than at the next scheduled export (at most 5 s). */
    public CompletionStage<Void> exportQueued() {
        CompletableFuture<Void> exported = new CompletableFuture<>();
        if (openTelemetry instanceof OpenTelemetrySdk sdk) {
            sdk.getSdkTracerProvider().forceFlush().whenComplete(() -> exported.complete(null));
        } else {
            exported.complete(null);
        }
        return exported.completeOnTimeout(null, 5, TimeUnit.SECONDS);
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

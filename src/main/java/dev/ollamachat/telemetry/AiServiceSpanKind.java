package dev.ollamachat.telemetry;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * quarkus-langchain4j wraps each AI-service call in a span of its own ({@code langchain4j.aiservices.<Iface>.<method>},
 * between {@code chat} and the LLM spans); it is marked CHAIN so that Phoenix does not show it as UNKNOWN.
 */
@ApplicationScoped
class AiServiceSpanKind implements SpanProcessor {

    private static final String AI_SERVICE_SPAN_PREFIX = "langchain4j.aiservices.";

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        if (span.getName().startsWith(AI_SERVICE_SPAN_PREFIX)) {
            span.setAttribute(SpanNames.SPAN_KIND, SpanNames.KIND_CHAIN);
        }
    }

    @Override
    public boolean isStartRequired() {
        return true;
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

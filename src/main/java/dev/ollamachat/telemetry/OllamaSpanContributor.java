package dev.ollamachat.telemetry;

import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.quarkiverse.langchain4j.runtime.listeners.ChatModelSpanContributor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Turns quarkus-langchain4j's own span of each blocking model call ({@code completion <model>}) into this service's
 * LLM span: renamed to {@code ollama.chat_with_tools} and given every attribute, so there is one span per call.
 */
@ApplicationScoped
class OllamaSpanContributor implements ChatModelSpanContributor {

    private static final String STARTED = "ollama-chat.started-nanos";

    private final ChatTelemetry telemetry;

    OllamaSpanContributor(ChatTelemetry telemetry) {
        this.telemetry = telemetry;
    }

    @Override
    public void onRequest(ChatModelRequestContext context, Span span) {
        if (!telemetry.enabled()) {
            return;
        }
        context.attributes().put(STARTED, System.nanoTime());
        ChatRequest request = context.chatRequest();
        ChatRequestParameters parameters = request.parameters();
        telemetry.describeLlmRequest(span, SpanNames.OPERATION_BLOCKING, parameters.modelName(), request.messages(),
                parameters.toolSpecifications() == null ? List.of() : parameters.toolSpecifications(),
                invocationParameters(parameters), Context.current().get(ChatTelemetry.CONVERSATION_ID));
    }

    @Override
    public void onResponse(ChatModelResponseContext context, Span span) {
        if (!telemetry.enabled()) {
            return;
        }
        ChatResponse response = context.chatResponse();
        TokenUsage usage = response.metadata().tokenUsage();
        String finishReason = response.metadata().finishReason() == null ? "stop"
                : response.metadata().finishReason().name().toLowerCase();
        telemetry.describeLlmResponse(span, response.metadata().modelName(), response.aiMessage(),
                usage == null ? null : usage.inputTokenCount(), usage == null ? null : usage.outputTokenCount(),
                finishReason, elapsedMs(context.attributes()));
    }

    @Override
    public void onError(ChatModelErrorContext context, Span span) {
        telemetry.failed(span, context.error());
    }

    private static long elapsedMs(Map<Object, Object> attributes) {
        Object started = attributes.get(STARTED);
        return started instanceof Long nanos ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos) : 0;
    }

    static Map<String, Object> invocationParameters(ChatRequestParameters parameters) {
        Map<String, Object> invocation = new LinkedHashMap<>();
        invocation.put("model", parameters.modelName());
        if (parameters.temperature() != null) {
            invocation.put("temperature", parameters.temperature());
        }
        if (parameters.topP() != null) {
            invocation.put("top_p", parameters.topP());
        }
        if (parameters.topK() != null) {
            invocation.put("top_k", parameters.topK());
        }
        if (parameters.maxOutputTokens() != null) {
            invocation.put("num_predict", parameters.maxOutputTokens());
        }
        invocation.put("stream", false);
        return invocation;
    }
}

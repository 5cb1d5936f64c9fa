package dev.ollamachat.telemetry;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.ollamachat.chat.SystemPrompts;
import dev.ollamachat.ollama.OllamaChatModel;
import dev.ollamachat.ollama.OllamaHosts;
import dev.ollamachat.ollama.OllamaResponseMetadata;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

/**
 * One LLM span per model call, on every endpoint, as a LangChain4j {@link ChatModelListener}. The span is the parent
 * of the HTTP call to Ollama: it is current in the request's Vert.x context from the request to the response.
 */
@ApplicationScoped
class LlmSpans implements ChatModelListener {

    private static final String SPAN = LlmSpans.class.getName() + ".span";
    private static final String SCOPE = LlmSpans.class.getName() + ".scope";
    private static final String STARTED_NANOS = LlmSpans.class.getName() + ".started";
    private static final String STARTED_EPOCH_NANOS = LlmSpans.class.getName() + ".started-epoch";

    private final ChatTelemetry telemetry;
    private final SystemPrompts prompts;
    private final ToolListsShown toolLists = new ToolListsShown();

    LlmSpans(ChatTelemetry telemetry, SystemPrompts prompts) {
        this.telemetry = telemetry;
        this.prompts = prompts;
    }

    @Override
    public void onRequest(ChatModelRequestContext context) {
        if (!telemetry.enabled()) {
            return;
        }
        Context parent = Context.current();
        boolean streamed = Boolean.TRUE.equals(parent.get(ChatTelemetry.STREAMED));
        Span span = telemetry.tracer().spanBuilder(streamed ? SpanNames.LLM_STREAMING : SpanNames.LLM_BLOCKING)
                .setParent(parent).setSpanKind(SpanKind.CLIENT).startSpan();
        ChatRequest request = context.chatRequest();
        List<ToolSpecification> tools = request.toolSpecifications() == null ? List.of() : request.toolSpecifications();
        String conversationId = parent.get(ChatTelemetry.CONVERSATION_ID);
        telemetry.describeLlmRequest(span, streamed ? SpanNames.OPERATION_STREAMING : SpanNames.OPERATION_BLOCKING,
                request.modelName(), request.messages(), tools, toolLists.changed(conversationId, tools),
                sentParameters(request), conversationId);
        if (!request.messages().isEmpty() && request.messages().get(0) instanceof SystemMessage system) {
            // the conversation's system prompt, with its Phoenix prompt version when it came from there
            prompts.find(system.text()).ifPresent(prompt -> telemetry.describePromptTemplate(span, prompt));
        }
        Map<Object, Object> attributes = context.attributes();
        attributes.put(SPAN, span);
        attributes.put(STARTED_NANOS, System.nanoTime());
        Instant now = Instant.now();
        attributes.put(STARTED_EPOCH_NANOS, TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano());
        if (Vertx.currentContext() != null) {
            attributes.put(SCOPE, parent.with(span).makeCurrent());
        }
    }

    @Override
    public void onResponse(ChatModelResponseContext context) {
        Span span = (Span) context.attributes().get(SPAN);
        if (span == null) {
            return;
        }
        ChatResponse response = context.chatResponse();
        TokenUsage usage = response.tokenUsage();
        if (response.metadata() instanceof OllamaResponseMetadata ollama && ollama.timeToFirstTokenNanos() != null) {
            long nanos = ollama.timeToFirstTokenNanos();
            long startedEpochNanos = (Long) context.attributes().get(STARTED_EPOCH_NANOS);
            telemetry.firstToken(span, TimeUnit.NANOSECONDS.toMillis(nanos), startedEpochNanos + nanos);
        }
        telemetry.describeLlmResponse(span, response.metadata().modelName(), response.aiMessage(),
                usage == null ? null : usage.inputTokenCount(), usage == null ? null : usage.outputTokenCount(),
                finishReason(response.finishReason()), elapsedMs(context.attributes()));
        telemetry.succeeded(span);
        end(span, context.attributes());
    }

    @Override
    public void onError(ChatModelErrorContext context) {
        Span span = (Span) context.attributes().get(SPAN);
        if (span == null) {
            return;
        }
        if (context.attributes().get(OllamaChatModel.PARTIAL_TEXT) instanceof String partial) {
            // what the user saw before the call broke off
            telemetry.describeLlmPartialOutput(span, partial);
        }
        if (context.error() instanceof CancellationException) {
            telemetry.cancelled(span);
        } else {
            telemetry.failed(span, context.error());
        }
        end(span, context.attributes());
    }

    private void end(Span span, Map<Object, Object> attributes) {
        if (attributes.get(OllamaChatModel.OLLAMA_HOST) instanceof OllamaHosts.Host ollama) {
            telemetry.servedBy(span, ollama);
        }
        Object scope = attributes.remove(SCOPE);
        if (scope instanceof Scope open) {
            open.close();
        }
        span.end();
    }

    /** The parameters Ollama was sent, and only those. */
    private static Map<String, Object> sentParameters(ChatRequest request) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("model", request.modelName());
        if (request.temperature() != null) {
            parameters.put("temperature", request.temperature());
        }
        parameters.put("stream", true);
        return parameters;
    }

    /**
     * Which tool list each conversation's LLM spans last carried. The schemas of the tools offered (a few KB) go on the
     * first LLM span of a conversation and on the first after the list changed, not on every model call: the
     * conversation's first trace shows them in Phoenix, and {@code llm.tool_count} is on every span. Forgotten past
     * {@value #REMEMBERED} conversations (they then carry the schemas once more).
     */
    static final class ToolListsShown {
        static final int REMEMBERED = 10_000;
        private final Map<String, Integer> shown = new java.util.concurrent.ConcurrentHashMap<>();

        /** Whether this call's span should carry the schemas; a call outside a conversation always does. */
        boolean changed(String conversationId, List<ToolSpecification> tools) {
            if (conversationId == null) {
                return true;
            }
            Integer list = tools.hashCode();
            boolean changed = !list.equals(shown.put(conversationId, list));
            if (shown.size() > REMEMBERED) {
                shown.clear();
            }
            return changed;
        }
    }

    private static String finishReason(FinishReason reason) {
        if (reason == null || reason == FinishReason.STOP) {
            return "stop";
        }
        return reason == FinishReason.TOOL_EXECUTION ? "tool_calls" : reason.name().toLowerCase();
    }

    private static long elapsedMs(Map<Object, Object> attributes) {
        Object started = attributes.get(STARTED_NANOS);
        return started instanceof Long nanos ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos) : 0;
    }
}

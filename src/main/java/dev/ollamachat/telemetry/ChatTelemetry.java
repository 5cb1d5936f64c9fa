package dev.ollamachat.telemetry;

import static dev.ollamachat.telemetry.SpanNames.*;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.internal.JsonSchemaElementUtils;
import dev.ollamachat.ProblemException;
import dev.ollamachat.chat.SystemPrompts;
import dev.ollamachat.config.ChatConfig;
import dev.ollamachat.ollama.OllamaHosts;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes this service's spans: the {@code chat} span of a turn (CHAIN), one LLM span per model call, and one TOOL
 * span per tool call, each with the OpenInference, GenAI and guide attributes named in {@link SpanNames}.
 */
@ApplicationScoped
class ChatTelemetry {

    /** The conversation the current turn belongs to, for the LLM and tool spans inside it. */
    static final ContextKey<String> CONVERSATION_ID = ContextKey.named("ollama-chat.conversation-id");
    /** Whether the current turn is relayed token by token (the SSE endpoint), which names its LLM spans. */
    static final ContextKey<Boolean> STREAMED = ContextKey.named("ollama-chat.streamed");

    /** The status message of every span of a turn whose client went away. */
    static final String CANCELLED_MESSAGE = "cancelled: the client went away before the answer was complete";

    private final Tracer tracer;
    private final boolean enabled;
    private final Map<ToolSpecification, String> schemas = new java.util.concurrent.ConcurrentHashMap<>();
    private final ContentPolicy content;
    private final ObjectMapper json;
    private final Optional<String> uiUrl;

    ChatTelemetry(Tracer tracer, ContentPolicy content, ObjectMapper json, ChatConfig config,
            @ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "false") boolean sdkDisabled) {
        // with the SDK off Quarkus still hands out a recording tracer; off must mean no spans and no trace ids
        this.enabled = !sdkDisabled;
        this.tracer = enabled ? tracer : TracerProvider.noop().get("ollama-chat");
        this.content = content;
        this.json = json;
        this.uiUrl = config.telemetry().uiUrl().map(url -> url.replaceAll("/+$", ""))
                .map(url -> url.endsWith(TelemetryExportConfig.TRACES_PATH)
                        ? url.substring(0, url.length() - TelemetryExportConfig.TRACES_PATH.length()) : url)
                .filter(url -> !url.isBlank());
    }

    /** False when TELEMETRY_ENABLED=false or OTEL_SDK_DISABLED=true. */
    public boolean enabled() {
        return enabled;
    }

    Tracer tracer() {
        return tracer;
    }

    // ---- chat (CHAIN) spans

    /** The output side of a turn's span (and of the trace's root, which Phoenix's Sessions view reads). */
    void describeTurnOutput(Span span, String reply) {
        if (!span.isRecording()) {
            return;
        }
        setIfPresent(span, OUTPUT_VALUE, content.output(reply));
        span.setAttribute(OUTPUT_MIME_TYPE, MIME_TEXT);
    }

    /** The input side of a turn's span (and of the trace's root, which Phoenix's Sessions view reads). */
    void describeTurn(Span span, String conversationId, String message) {
        if (!span.isRecording()) {
            return;
        }
        span.setAttribute(SPAN_KIND, KIND_CHAIN);
        span.setAttribute(SESSION_ID, conversationId);
        span.setAttribute(GEN_AI_CONVERSATION_ID, conversationId);
        setIfPresent(span, INPUT_VALUE, content.input(message));
        span.setAttribute(INPUT_MIME_TYPE, MIME_TEXT);
    }

    // ---- LLM spans

    /** The request side of an LLM span: model, messages, tools (their schemas when asked), parameters. */
    void describeLlmRequest(Span span, String operation, String model, List<ChatMessage> messages,
            List<ToolSpecification> tools, boolean toolSchemas, Map<String, Object> parameters,
            String conversationId) {
        if (!span.isRecording()) {
            return;
        }
        span.updateName(OPERATION_STREAMING.equals(operation) ? LLM_STREAMING : LLM_BLOCKING);
        span.setAttribute(SPAN_KIND, KIND_LLM);
        span.setAttribute(LLM_MODEL_NAME, model);
        span.setAttribute(LLM_PROVIDER, PROVIDER);
        span.setAttribute(LLM_SYSTEM, PROVIDER);
        span.setAttribute(GEN_AI_OPERATION_NAME, GEN_AI_OPERATION_CHAT);
        span.setAttribute(GEN_AI_PROVIDER_NAME, PROVIDER);
        span.setAttribute(GEN_AI_REQUEST_MODEL, model);
        span.setAttribute(LLM_VENDOR, PROVIDER);
        span.setAttribute(LLM_MODEL, model);
        span.setAttribute(LLM_OPERATION, operation);
        if (conversationId != null) {
            span.setAttribute(GEN_AI_CONVERSATION_ID, conversationId);
            span.setAttribute(SESSION_ID, conversationId);
        }
        span.setAttribute(LLM_MESSAGE_COUNT, (long) messages.size());
        span.setAttribute(LLM_TOOL_COUNT, (long) tools.size());
        span.setAttribute(LLM_REQUEST_SIZE, messages.stream().mapToLong(m -> textOf(m).length()).sum());
        if (content.showsInvocationParameters()) {
            Map<String, Object> invocation = new LinkedHashMap<>(parameters);
            invocation.putIfAbsent("model", model);
            span.setAttribute(LLM_INVOCATION_PARAMETERS, content.capped(write(invocation)));
        }
        String lastMessage = messages.isEmpty() ? "" : textOf(messages.get(messages.size() - 1));
        setIfPresent(span, INPUT_VALUE, content.input(lastMessage));
        span.setAttribute(INPUT_MIME_TYPE, MIME_TEXT);
        setIfPresent(span, LLM_LAST_MESSAGE_PREVIEW, content.preview(lastMessage, PREVIEW_LENGTH, false));
        if (content.showsInputMessages()) {
            for (int i = 0; i < messages.size(); i++) {
                describeMessage(span, LLM_INPUT_MESSAGES + "." + i + ".", messages.get(i), false);
            }
        }
        if (toolSchemas && content.showsTools()) {
            for (int i = 0; i < tools.size(); i++) {
                span.setAttribute(LLM_TOOLS + "." + i + "." + TOOL_JSON_SCHEMA, content.capped(schemaOf(tools.get(i))));
            }
        }
    }

    /** The response side of an LLM span: reply, tool calls, token counts, finish reason, duration. */
    void describeLlmResponse(Span span, String responseModel, AiMessage reply, Integer inputTokens,
            Integer outputTokens, String finishReason, long durationMs) {
        if (!span.isRecording()) {
            return;
        }
        String text = reply.text() == null ? "" : reply.text();
        List<ToolExecutionRequest> calls = reply.hasToolExecutionRequests() ? reply.toolExecutionRequests() : List.of();
        long in = inputTokens == null ? 0 : inputTokens;
        long out = outputTokens == null ? 0 : outputTokens;
        span.setAttribute(LLM_TOKEN_COUNT_PROMPT, in);
        span.setAttribute(LLM_TOKEN_COUNT_COMPLETION, out);
        span.setAttribute(LLM_TOKEN_COUNT_TOTAL, in + out);
        span.setAttribute(GEN_AI_USAGE_INPUT_TOKENS, in);
        span.setAttribute(GEN_AI_USAGE_OUTPUT_TOKENS, out);
        span.setAttribute(LLM_TOKENS_INPUT, in);
        span.setAttribute(LLM_TOKENS_OUTPUT, out);
        if (responseModel != null) {
            span.setAttribute(GEN_AI_RESPONSE_MODEL, responseModel);
        }
        span.setAttribute(GEN_AI_FINISH_REASONS, List.of(calls.isEmpty() ? finishReason : "tool_calls"));
        span.setAttribute(LLM_RESPONSE_LENGTH, (long) text.length());
        span.setAttribute(LLM_DURATION_MS, durationMs);
        span.setAttribute(LLM_TOOL_CALLS_COUNT, (long) calls.size());
        span.setAttribute(LLM_CALLED_TOOLS, calls.stream().map(ToolExecutionRequest::name).toList());
        setIfPresent(span, OUTPUT_VALUE, content.output(text));
        span.setAttribute(OUTPUT_MIME_TYPE, MIME_TEXT);
        setIfPresent(span, LLM_RESPONSE_PREVIEW, content.preview(text, PREVIEW_LENGTH, true));
        if (content.showsOutputMessages()) {
            describeMessage(span, LLM_OUTPUT_MESSAGES + ".0.", reply, true);
        }
    }

    /**
     * The system prompt the call's conversation started with, as OpenInference's prompt template: Phoenix links the
     * span to the prompt version it names (only a Phoenix prompt has one). It has no variables.
     */
    void describePromptTemplate(Span span, SystemPrompts.SystemPrompt prompt) {
        if (!span.isRecording()) {
            return;
        }
        setIfPresent(span, LLM_PROMPT_TEMPLATE, content.input(prompt.text()));
        span.setAttribute(LLM_PROMPT_TEMPLATE_VARIABLES, "{}");
        if (prompt.version() != null) {
            span.setAttribute(LLM_PROMPT_TEMPLATE_VERSION, prompt.version());
        }
    }

    /** The text a call that failed or was cancelled had sent: the output of its LLM span, as far as it got. */
    void describeLlmPartialOutput(Span span, String text) {
        if (!span.isRecording()) {
            return;
        }
        span.setAttribute(LLM_RESPONSE_LENGTH, (long) text.length());
        setIfPresent(span, OUTPUT_VALUE, content.output(text));
        span.setAttribute(OUTPUT_MIME_TYPE, MIME_TEXT);
        setIfPresent(span, LLM_RESPONSE_PREVIEW, content.preview(text, PREVIEW_LENGTH, true));
        if (content.showsOutputMessages()) {
            describeMessage(span, LLM_OUTPUT_MESSAGES + ".0.", AiMessage.from(text), true);
        }
    }

    /** The Ollama that served the call (one of OLLAMA_HOSTS), as the OTel server attributes. */
    void servedBy(Span span, OllamaHosts.Host ollama) {
        span.setAttribute(SpanNames.SERVER_ADDRESS, ollama.address());
        span.setAttribute(SpanNames.SERVER_PORT, (long) ollama.port());
    }

    /** The first token of a streamed answer: an event at the time it came, and the time to it. */
    void firstToken(Span span, long timeToFirstTokenMs, long atEpochNanos) {
        if (!span.isRecording()) {
            return;
        }
        span.addEvent(FIRST_TOKEN_EVENT, Attributes.of(LLM_TIME_TO_FIRST_TOKEN_MS, timeToFirstTokenMs), atEpochNanos,
                java.util.concurrent.TimeUnit.NANOSECONDS);
        span.setAttribute(LLM_TIME_TO_FIRST_TOKEN_MS, timeToFirstTokenMs);
        span.setAttribute(GEN_AI_TIME_TO_FIRST_CHUNK, timeToFirstTokenMs / 1000.0);
    }

    // ---- TOOL spans

    Span startTool(Context parent, ToolExecutionRequest call, String server, String serverUrl,
            String description) {
        Span span = tracer.spanBuilder(TOOL_PREFIX + call.name()).setParent(parent).setSpanKind(SpanKind.INTERNAL)
                .startSpan();
        span.setAttribute(SPAN_KIND, KIND_TOOL);
        span.setAttribute(TOOL_NAME, call.name());
        span.setAttribute(GEN_AI_OPERATION_NAME, GEN_AI_OPERATION_TOOL);
        span.setAttribute(GEN_AI_TOOL_NAME, call.name());
        if (call.id() != null) {
            span.setAttribute(TOOL_ID, call.id());
            span.setAttribute(GEN_AI_TOOL_CALL_ID, call.id());
        }
        if (description != null) {
            span.setAttribute(TOOL_DESCRIPTION, description);
        }
        if (server != null) {
            span.setAttribute(MCP_SERVER, server);
            span.setAttribute(MCP_SERVER_URL, serverUrl);
        }
        String arguments = content.input(call.arguments());
        setIfPresent(span, TOOL_PARAMETERS, arguments);
        setIfPresent(span, INPUT_VALUE, arguments);
        span.setAttribute(INPUT_MIME_TYPE, MIME_JSON);
        String conversationId = parent.get(CONVERSATION_ID);
        if (conversationId != null) {
            span.setAttribute(SESSION_ID, conversationId);
        }
        return span;
    }

    void endTool(Span span, String result, String error) {
        if (error != null) {
            setIfPresent(span, OUTPUT_VALUE, content.output(error));
            span.setAttribute(ERROR_TYPE, "tool_error");
            span.setStatus(StatusCode.ERROR, content.capturesContent() ? content.capped(error) : "tool error");
        } else {
            setIfPresent(span, OUTPUT_VALUE, content.output(result));
            succeeded(span);
        }
        span.setAttribute(OUTPUT_MIME_TYPE, MIME_TEXT);
        span.end();
    }

    // ---- endings shared by every span

    /** Marks a span failed: status ERROR, an exception event, and error.type. Does not end it. */
    void failed(Span span, Throwable failure) {
        String type = failure instanceof ProblemException problem ? problem.slug() : failure.getClass().getName();
        span.setAttribute(ERROR_TYPE, type);
        span.setStatus(StatusCode.ERROR, failure.getMessage() == null ? type : failure.getMessage());
        span.recordException(failure);
    }

    /** Marks a span whose work completed. Does not end it. */
    void succeeded(Span span) {
        span.setStatus(StatusCode.OK);
    }

    /**
     * Marks a span cut short by the client going away, the same way on every span of the turn: ERROR (the answer was
     * not delivered; the HTTP server span is ERROR too, as the connection closed under it), error.type "cancelled"
     * and cancelled=true, which tell it from a failure. Does not end it.
     */
    void cancelled(Span span) {
        span.setAttribute(CANCELLED, true);
        span.setAttribute(ERROR_TYPE, CANCELLED_ERROR_TYPE);
        span.addEvent(CANCELLED_ERROR_TYPE);
        span.setStatus(StatusCode.ERROR, CANCELLED_MESSAGE);
    }

    /** A link that opens the trace in Phoenix (PHOENIX_UI_URL, by default the Phoenix of PHOENIX_ENDPOINT). */
    Optional<String> traceUrl(String traceId) {
        return uiUrl.map(url -> url + "/redirects/traces/" + traceId);
    }

    // ---- helpers

    private void describeMessage(Span span, String prefix, ChatMessage message, boolean isOutput) {
        span.setAttribute(prefix + MESSAGE_ROLE, roleOf(message));
        String text = textOf(message);
        String visible = isOutput ? content.outputMessageText(text) : content.inputMessageText(text);
        if (visible != null) {
            span.setAttribute(prefix + MESSAGE_CONTENT, visible);
        }
        if (message instanceof AiMessage ai && ai.hasToolExecutionRequests()) {
            List<ToolExecutionRequest> calls = ai.toolExecutionRequests();
            for (int j = 0; j < calls.size(); j++) {
                String call = prefix + MESSAGE_TOOL_CALLS + "." + j + ".";
                if (calls.get(j).id() != null) {
                    span.setAttribute(call + TOOL_CALL_ID, calls.get(j).id());
                }
                span.setAttribute(call + TOOL_CALL_FUNCTION_NAME, calls.get(j).name());
                String arguments = isOutput ? content.output(calls.get(j).arguments())
                        : content.input(calls.get(j).arguments());
                if (arguments != null) {
                    span.setAttribute(call + TOOL_CALL_FUNCTION_ARGUMENTS, arguments);
                }
            }
        }
        if (message instanceof ToolExecutionResultMessage tool) {
            if (tool.id() != null) {
                span.setAttribute(prefix + MESSAGE_TOOL_CALL_ID, tool.id());
            }
            span.setAttribute(prefix + MESSAGE_NAME, tool.toolName());
        }
    }

    private static String roleOf(ChatMessage message) {
        if (message instanceof SystemMessage) {
            return "system";
        }
        if (message instanceof UserMessage) {
            return "user";
        }
        if (message instanceof AiMessage) {
            return "assistant";
        }
        return message instanceof ToolExecutionResultMessage ? "tool" : message.type().name().toLowerCase();
    }

    static String textOf(ChatMessage message) {
        if (message instanceof SystemMessage system) {
            return system.text();
        }
        if (message instanceof UserMessage user) {
            return user.hasSingleText() ? user.singleText() : "";
        }
        if (message instanceof AiMessage ai) {
            return ai.text() == null ? "" : ai.text();
        }
        if (message instanceof ToolExecutionResultMessage tool) {
            return tool.text();
        }
        return "";
    }

    /** The same few tools go on every LLM span: each schema is written once. */
    private String schemaOf(ToolSpecification tool) {
        return schemas.computeIfAbsent(tool, this::writeSchema);
    }

    private String writeSchema(ToolSpecification tool) {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", tool.name());
        if (tool.description() != null) {
            function.put("description", tool.description());
        }
        function.put("parameters", tool.parameters() == null
                ? Map.of("type", "object", "properties", Map.of())
                : JsonSchemaElementUtils.toMap(tool.parameters()));
        return write(Map.of("type", "function", "function", function));
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return String.valueOf(value);
        }
    }

    private static void setIfPresent(Span span, AttributeKey<String> key, String value) {
        if (value != null) {
            span.setAttribute(key, value);
        }
    }
}

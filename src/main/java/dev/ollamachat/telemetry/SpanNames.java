package dev.ollamachat.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/**
 * Every span name and attribute key this service writes, in one place. Three vocabularies sit side by side:
 * OpenInference (what Phoenix renders), OTel GenAI, and the {@code llm.*} names of the original Python client.
 */
public final class SpanNames {

    private SpanNames() {
    }

    // span names
    public static final String CHAT = "chat";
    public static final String LLM_BLOCKING = "ollama.chat_with_tools";
    public static final String LLM_STREAMING = "ollama.chat_streaming";
    public static final String TOOL_PREFIX = "tool ";
    public static final String OPERATION_BLOCKING = "chat_with_tools";
    public static final String OPERATION_STREAMING = "chat_streaming";
    public static final String FIRST_TOKEN_EVENT = "first_token";
    public static final String PROVIDER = "ollama";

    // OpenInference
    public static final AttributeKey<String> SPAN_KIND = AttributeKey.stringKey("openinference.span.kind");
    public static final String KIND_CHAIN = "CHAIN";
    public static final String KIND_LLM = "LLM";
    public static final String KIND_TOOL = "TOOL";
    public static final AttributeKey<String> SESSION_ID = AttributeKey.stringKey("session.id");
    /** OpenInference: a JSON object of the caller's own labels, which Phoenix shows and filters on. */
    public static final AttributeKey<String> METADATA = AttributeKey.stringKey("metadata");
    /** OpenInference: the caller's tags. */
    public static final AttributeKey<java.util.List<String>> TAGS = AttributeKey.stringArrayKey("tag.tags");
    public static final AttributeKey<String> USER_ID = AttributeKey.stringKey("user.id");
    public static final AttributeKey<String> INPUT_VALUE = AttributeKey.stringKey("input.value");
    public static final AttributeKey<String> INPUT_MIME_TYPE = AttributeKey.stringKey("input.mime_type");
    public static final AttributeKey<String> OUTPUT_VALUE = AttributeKey.stringKey("output.value");
    public static final AttributeKey<String> OUTPUT_MIME_TYPE = AttributeKey.stringKey("output.mime_type");
    public static final String MIME_TEXT = "text/plain";
    public static final String MIME_JSON = "application/json";
    public static final AttributeKey<String> LLM_MODEL_NAME = AttributeKey.stringKey("llm.model_name");
    public static final AttributeKey<String> LLM_PROVIDER = AttributeKey.stringKey("llm.provider");
    public static final AttributeKey<String> LLM_SYSTEM = AttributeKey.stringKey("llm.system");
    public static final AttributeKey<String> LLM_INVOCATION_PARAMETERS =
            AttributeKey.stringKey("llm.invocation_parameters");
    public static final AttributeKey<String> LLM_PROMPT_TEMPLATE = AttributeKey.stringKey("llm.prompt_template.template");
    public static final AttributeKey<String> LLM_PROMPT_TEMPLATE_VERSION =
            AttributeKey.stringKey("llm.prompt_template.version");
    public static final AttributeKey<String> LLM_PROMPT_TEMPLATE_VARIABLES =
            AttributeKey.stringKey("llm.prompt_template.variables");
    public static final AttributeKey<Long> LLM_TOKEN_COUNT_PROMPT = AttributeKey.longKey("llm.token_count.prompt");
    public static final AttributeKey<Long> LLM_TOKEN_COUNT_COMPLETION =
            AttributeKey.longKey("llm.token_count.completion");
    public static final AttributeKey<Long> LLM_TOKEN_COUNT_TOTAL = AttributeKey.longKey("llm.token_count.total");
    public static final String LLM_INPUT_MESSAGES = "llm.input_messages";
    public static final String LLM_OUTPUT_MESSAGES = "llm.output_messages";
    public static final String MESSAGE_ROLE = "message.role";
    public static final String MESSAGE_CONTENT = "message.content";
    public static final String MESSAGE_TOOL_CALLS = "message.tool_calls";
    public static final String MESSAGE_TOOL_CALL_ID = "message.tool_call_id";
    public static final String MESSAGE_NAME = "message.name";
    public static final String TOOL_CALL_ID = "tool_call.id";
    public static final String TOOL_CALL_FUNCTION_NAME = "tool_call.function.name";
    public static final String TOOL_CALL_FUNCTION_ARGUMENTS = "tool_call.function.arguments";
    public static final String LLM_TOOLS = "llm.tools";
    public static final String TOOL_JSON_SCHEMA = "tool.json_schema";
    public static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey("tool.name");
    public static final AttributeKey<String> TOOL_DESCRIPTION = AttributeKey.stringKey("tool.description");
    public static final AttributeKey<String> TOOL_PARAMETERS = AttributeKey.stringKey("tool.parameters");
    public static final AttributeKey<String> TOOL_ID = AttributeKey.stringKey("tool.id");
    public static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    public static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    public static final AttributeKey<String> MCP_SERVER = AttributeKey.stringKey("mcp.server.name");
    public static final AttributeKey<String> MCP_SERVER_URL = AttributeKey.stringKey("mcp.server.url");

    // OTel GenAI
    public static final AttributeKey<String> GEN_AI_OPERATION_NAME = AttributeKey.stringKey("gen_ai.operation.name");
    public static final String GEN_AI_OPERATION_CHAT = "chat";
    public static final String GEN_AI_OPERATION_TOOL = "execute_tool";
    public static final AttributeKey<String> GEN_AI_PROVIDER_NAME = AttributeKey.stringKey("gen_ai.provider.name");
    public static final AttributeKey<String> GEN_AI_REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    public static final AttributeKey<String> GEN_AI_RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    public static final AttributeKey<Long> GEN_AI_USAGE_INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    public static final AttributeKey<Long> GEN_AI_USAGE_OUTPUT_TOKENS =
            AttributeKey.longKey("gen_ai.usage.output_tokens");
    public static final AttributeKey<List<String>> GEN_AI_FINISH_REASONS =
            AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
    public static final AttributeKey<String> GEN_AI_CONVERSATION_ID = AttributeKey.stringKey("gen_ai.conversation.id");
    public static final AttributeKey<Double> GEN_AI_TIME_TO_FIRST_CHUNK =
            AttributeKey.doubleKey("gen_ai.response.time_to_first_chunk");
    public static final AttributeKey<String> GEN_AI_TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
    public static final AttributeKey<String> GEN_AI_TOOL_CALL_ID = AttributeKey.stringKey("gen_ai.tool.call.id");

    // the original Python client's names
    public static final AttributeKey<String> LLM_VENDOR = AttributeKey.stringKey("llm.vendor");
    public static final AttributeKey<String> LLM_MODEL = AttributeKey.stringKey("llm.model");
    public static final AttributeKey<String> LLM_OPERATION = AttributeKey.stringKey("llm.operation");
    public static final AttributeKey<Long> LLM_MESSAGE_COUNT = AttributeKey.longKey("llm.message_count");
    public static final AttributeKey<Long> LLM_TOOL_COUNT = AttributeKey.longKey("llm.tool_count");
    public static final AttributeKey<Long> LLM_REQUEST_SIZE = AttributeKey.longKey("llm.request_size");
    public static final AttributeKey<Long> LLM_DURATION_MS = AttributeKey.longKey("llm.duration_ms");
    public static final AttributeKey<Long> LLM_RESPONSE_LENGTH = AttributeKey.longKey("llm.response_length");
    public static final AttributeKey<Long> LLM_TOKENS_INPUT = AttributeKey.longKey("llm.tokens_input");
    public static final AttributeKey<Long> LLM_TOKENS_OUTPUT = AttributeKey.longKey("llm.tokens_output");
    public static final AttributeKey<String> LLM_LAST_MESSAGE_PREVIEW =
            AttributeKey.stringKey("llm.last_message_preview");
    public static final AttributeKey<String> LLM_RESPONSE_PREVIEW = AttributeKey.stringKey("llm.response_preview");
    public static final AttributeKey<Long> LLM_TOOL_CALLS_COUNT = AttributeKey.longKey("llm.tool_calls_count");
    public static final AttributeKey<List<String>> LLM_CALLED_TOOLS = AttributeKey.stringArrayKey("llm.called_tools");
    public static final AttributeKey<Long> LLM_TIME_TO_FIRST_TOKEN_MS =
            AttributeKey.longKey("llm.time_to_first_token_ms");
    public static final int PREVIEW_LENGTH = 200;

    // errors and cancellation
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    public static final AttributeKey<Boolean> CANCELLED = AttributeKey.booleanKey("cancelled");
    public static final String CANCELLED_ERROR_TYPE = "cancelled";
    public static final String REDACTED = "__REDACTED__";
}

package dev.ollamachat.config;

import static java.util.Map.entry;

import io.smallrye.config.Priorities;
import io.smallrye.config.RelocateConfigSourceInterceptor;
import jakarta.annotation.Priority;
import java.util.Map;

/**
 * The service's settings under the environment variables users know (OLLAMA_HOST, PHOENIX_ENDPOINT, ...), from the
 * environment or a {@code .env} file. Each {@code ollama-chat.*} property is also looked up under its variable, and
 * the value from the stronger source wins (the environment over application.properties); a setting found nowhere
 * takes its default, written once, as the {@code @WithDefault} in {@link ChatConfig}.
 *
 * <p>It sits below the expression interceptor, so {@code ${ollama-chat...}} expressions in application.properties
 * see the variables too.
 */
@Priority(Priorities.LIBRARY + 280)
public class EnvironmentNames extends RelocateConfigSourceInterceptor {

    static final Map<String, String> VARIABLES = Map.ofEntries(
            entry("ollama-chat.ollama.host", "OLLAMA_HOST"),
            entry("ollama-chat.ollama.hosts", "OLLAMA_HOSTS"),
            entry("ollama-chat.ollama.model", "OLLAMA_MODEL"),
            entry("ollama-chat.ollama.timeout", "OLLAMA_TIMEOUT"),
            entry("ollama-chat.ollama.temperature", "OLLAMA_TEMPERATURE"),
            entry("ollama-chat.ollama.max-connections", "OLLAMA_MAX_CONNECTIONS"),
            entry("ollama-chat.mcp.server-url", "MCP_SERVER_URL"),
            entry("ollama-chat.mcp.server-name", "MCP_SERVER_NAME"),
            entry("ollama-chat.mcp.servers", "MCP_SERVERS"),
            entry("ollama-chat.mcp.tool-timeout", "MCP_TOOL_TIMEOUT"),
            entry("ollama-chat.mcp.tools-allow", "MCP_TOOLS_ALLOW"),
            entry("ollama-chat.mcp.tools-deny", "MCP_TOOLS_DENY"),
            entry("ollama-chat.conversations.max-history", "MAX_CONVERSATION_HISTORY"),
            entry("ollama-chat.conversations.max-conversations", "MAX_CONVERSATIONS"),
            entry("ollama-chat.conversations.ttl", "CONVERSATION_TTL"),
            entry("ollama-chat.conversations.store", "CONVERSATION_STORE"),
            entry("ollama-chat.conversations.redis-url", "REDIS_URL"),
            entry("ollama-chat.conversations.lock-lease", "CONVERSATION_LOCK_LEASE"),
            entry("ollama-chat.max-message-length", "MAX_MESSAGE_LENGTH"),
            entry("ollama-chat.stream-keep-alive", "STREAM_KEEP_ALIVE"),
            entry("ollama-chat.max-tool-rounds", "MAX_TOOL_ROUNDS"),
            entry("ollama-chat.rate-limit", "RATE_LIMIT"),
            entry("ollama-chat.auth.api-keys", "CHAT_API_KEYS"),
            entry("ollama-chat.auth.api-keys-file", "CHAT_API_KEYS_FILE"),
            entry("ollama-chat.auth.mode", "AUTH"),
            entry("ollama-chat.telemetry.enabled", "TELEMETRY_ENABLED"),
            entry("ollama-chat.telemetry.endpoint", "PHOENIX_ENDPOINT"),
            entry("ollama-chat.telemetry.project-name", "PHOENIX_PROJECT_NAME"),
            entry("ollama-chat.telemetry.projects", "PHOENIX_PROJECTS"),
            entry("ollama-chat.telemetry.api-key", "PHOENIX_API_KEY"),
            entry("ollama-chat.telemetry.prompt", "PHOENIX_PROMPT"),
            entry("ollama-chat.telemetry.prompt-refresh", "PHOENIX_PROMPT_REFRESH"),
            entry("ollama-chat.system-prompt", "SYSTEM_PROMPT"),
            entry("ollama-chat.telemetry.ui-url", "PHOENIX_UI_URL"),
            entry("ollama-chat.telemetry.export-timeout", "OTEL_EXPORTER_OTLP_TIMEOUT"),
            entry("ollama-chat.telemetry.metrics-endpoint", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"),
            entry("ollama-chat.telemetry.metrics-export-interval", "METRICS_EXPORT_INTERVAL"),
            entry("ollama-chat.telemetry.environment", "ENVIRONMENT"),
            entry("ollama-chat.telemetry.capture-content", "TELEMETRY_CAPTURE_CONTENT"),
            entry("ollama-chat.telemetry.max-value-length", "TELEMETRY_MAX_VALUE_LENGTH"),
            entry("ollama-chat.telemetry.hide.inputs", "OPENINFERENCE_HIDE_INPUTS"),
            entry("ollama-chat.telemetry.hide.outputs", "OPENINFERENCE_HIDE_OUTPUTS"),
            entry("ollama-chat.telemetry.hide.input-messages", "OPENINFERENCE_HIDE_INPUT_MESSAGES"),
            entry("ollama-chat.telemetry.hide.output-messages", "OPENINFERENCE_HIDE_OUTPUT_MESSAGES"),
            entry("ollama-chat.telemetry.hide.input-text", "OPENINFERENCE_HIDE_INPUT_TEXT"),
            entry("ollama-chat.telemetry.hide.output-text", "OPENINFERENCE_HIDE_OUTPUT_TEXT"),
            entry("ollama-chat.telemetry.hide.llm-tools", "OPENINFERENCE_HIDE_LLM_TOOLS"),
            entry("ollama-chat.telemetry.hide.llm-invocation-parameters",
                    "OPENINFERENCE_HIDE_LLM_INVOCATION_PARAMETERS"));

    public EnvironmentNames() {
        super(name -> VARIABLES.getOrDefault(name, name));
    }
}

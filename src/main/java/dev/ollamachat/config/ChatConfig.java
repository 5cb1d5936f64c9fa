package dev.ollamachat.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Every setting of the service. Environment variables map onto these in application.properties. */
@ConfigMapping(prefix = "ollama-chat")
public interface ChatConfig {

    Ollama ollama();

    Mcp mcp();

    Conversations conversations();

    Telemetry telemetry();

    Auth auth();

    /** Interval of the keep-alive comment on an open event stream (STREAM_KEEP_ALIVE). */
    @WithDefault("15s")
    Duration streamKeepAlive();

    /**
     * Rounds of tool calls in one turn (MAX_TOOL_ROUNDS). After the last, the model is asked once more without tools;
     * 0 offers no tools at all.
     */
    @WithDefault("10")
    int maxToolRounds();

    /**
     * Requests to /api/* per API key (or per client address without keys), as {@code N/duration}, for example
     * {@code 60/1m} (RATE_LIMIT); unset: no limit.
     */
    Optional<String> rateLimit();

    /** The system prompt of new conversations, as text; it overrides PHOENIX_PROMPT (SYSTEM_PROMPT). */
    Optional<String> systemPrompt();

    /** Longest user message accepted, in characters (MAX_MESSAGE_LENGTH). */
    @WithDefault("32000")
    int maxMessageLength();

    interface Auth {
        /** API keys that may use /api/* and /mcp, comma-separated, each {@code key} or {@code name:key} (CHAT_API_KEYS). */
        Optional<List<String>> apiKeys();

        /** A file with one API key ({@code key} or {@code name:key}) per line (CHAT_API_KEYS_FILE). */
        Optional<String> apiKeysFile();

        /** {@code none}: serve beyond loopback without API keys, on purpose (AUTH). */
        Optional<String> mode();
    }

    interface Ollama {
        /** Base URL of Ollama (OLLAMA_HOST). */
        @WithDefault("http://localhost:11434")
        String host();

        /** Several Ollama servers, comma-separated URLs; when set, it replaces OLLAMA_HOST (OLLAMA_HOSTS). */
        Optional<List<String>> hosts();

        /** Model used for chats (OLLAMA_MODEL), read at run time. */
        @WithDefault("llama3.1:8b")
        String model();

        /** Longest silence from Ollama during a chat (before its first line, or between two) before 504 (OLLAMA_TIMEOUT). */
        @WithDefault("120s")
        Duration timeout();

        /** Connections to Ollama that streamed chats may hold at once (OLLAMA_MAX_CONNECTIONS). */
        @WithDefault("1024")
        int maxConnections();

        /** Sampling temperature, unset means Ollama's default (OLLAMA_TEMPERATURE). */
        Optional<Double> temperature();
    }

    interface Mcp {
        /** The MCP server the model gets its tools from (MCP_SERVER_URL); unset: this service's own /mcp. */
        Optional<String> serverUrl();

        /** Name under which MCP_SERVER_URL appears in tool lists, health and warnings. */
        @WithDefault("calculator")
        String serverName();

        /** Further MCP servers as name=url entries (MCP_SERVERS="everything=http://127.0.0.1:3001/mcp,..."). */
        Optional<List<String>> servers();

        /** Longest wait for one tool call (MCP_TOOL_TIMEOUT). */
        @WithDefault("30s")
        Duration toolTimeout();

        /**
         * Tools the model may be offered, as server:tool entries where tool may be * (MCP_TOOLS_ALLOW); unset: every
         * tool that is not denied.
         */
        Optional<List<String>> toolsAllow();

        /** Tools never offered or run, as server:tool entries; deny wins over allow (MCP_TOOLS_DENY). */
        Optional<List<String>> toolsDeny();

        /** Longest wait to connect to an MCP server and list its tools. */
        @WithDefault("5s")
        Duration connectTimeout();
    }

    interface Conversations {
        /** Messages kept per conversation (MAX_CONVERSATION_HISTORY). */
        @WithDefault("50")
        int maxHistory();

        /** Conversations kept at once; the least recently used goes first (MAX_CONVERSATIONS). */
        @WithDefault("10000")
        int maxConversations();

        /** A conversation not used for this long is forgotten (CONVERSATION_TTL). */
        @WithDefault("1h")
        Duration ttl();

        /** Where conversations live: memory (this process) or redis, shared by replicas (CONVERSATION_STORE). */
        @WithDefault("memory")
        StoreKind store();

        /** The Redis of CONVERSATION_STORE=redis (REDIS_URL), e.g. redis://:password@redis-host:6379/0. */
        @WithDefault("redis://localhost:6379")
        String redisUrl();

        /**
         * How long a replica's hold on a conversation outlives the replica when it dies mid-turn; renewed while the
         * turn runs (CONVERSATION_LOCK_LEASE).
         */
        @WithDefault("15s")
        Duration lockLease();
    }

    enum StoreKind {
        MEMORY,
        REDIS
    }

    interface Telemetry {
        /** Traces are exported at all (TELEMETRY_ENABLED; OTEL_SDK_DISABLED=true also turns them off). */
        @WithDefault("true")
        boolean enabled();

        /** Phoenix's OTLP/HTTP endpoint; "/v1/traces" may be written or left out (PHOENIX_ENDPOINT). */
        @WithDefault("http://localhost:6006/v1/traces")
        String endpoint();

        /** Phoenix project the traces are filed under (PHOENIX_PROJECT_NAME). */
        @WithDefault("default")
        String projectName();

        /**
         * Further Phoenix projects a request may file its trace under with its 'project' field, comma-separated
         * (PHOENIX_PROJECTS); PHOENIX_PROJECT_NAME is always allowed and the default.
         */
        Optional<List<String>> projects();

        /**
         * A prompt of Phoenix's prompt registry whose system message new conversations get: {@code name} (its latest
         * version), {@code name@tag} or a prompt version's id (PHOENIX_PROMPT); unset: SYSTEM_PROMPT or the built-in.
         */
        Optional<String> prompt();

        /** How often PHOENIX_PROMPT is read again (PHOENIX_PROMPT_REFRESH). */
        @WithDefault("60s")
        Duration promptRefresh();

        /** Phoenix API key, sent as a bearer token (PHOENIX_API_KEY). */
        Optional<String> apiKey();

        /** One export to Phoenix that has not been answered by then has failed (OTEL_EXPORTER_OTLP_TIMEOUT). */
        @WithDefault("10s")
        Duration exportTimeout();

        /**
         * Where the metrics also go over OTLP/HTTP, e.g. http://collector:4318/v1/metrics; unset: only /q/metrics
         * (OTEL_EXPORTER_OTLP_METRICS_ENDPOINT). Never Phoenix, which takes no metrics.
         */
        Optional<String> metricsEndpoint();

        /** How often the metrics are pushed to OTEL_EXPORTER_OTLP_METRICS_ENDPOINT (METRICS_EXPORT_INTERVAL). */
        @WithDefault("60s")
        Duration metricsExportInterval();

        /**
         * Phoenix UI, for the trace link in replies (PHOENIX_UI_URL); by default the Phoenix that PHOENIX_ENDPOINT
         * names (its URL without "/v1/traces"), since Phoenix serves its UI where it takes traces.
         */
        @WithDefault("${ollama-chat.telemetry.endpoint}")
        Optional<String> uiUrl();

        /** Deployment environment resource attribute (ENVIRONMENT). */
        @WithDefault("development")
        String environment();

        /** Message text, previews, inputs, outputs and tool arguments/results go on spans (TELEMETRY_CAPTURE_CONTENT). */
        @WithDefault("true")
        boolean captureContent();

        /** Longest attribute value kept, in characters (TELEMETRY_MAX_VALUE_LENGTH). */
        @WithDefault("32000")
        int maxValueLength();

        /** OpenInference masking switches (OPENINFERENCE_HIDE_*). */
        Hide hide();
    }

    interface Hide {
        @WithDefault("false")
        boolean inputs();

        @WithDefault("false")
        boolean outputs();

        @WithDefault("false")
        boolean inputMessages();

        @WithDefault("false")
        boolean outputMessages();

        @WithDefault("false")
        boolean inputText();

        @WithDefault("false")
        boolean outputText();

        @WithDefault("false")
        boolean llmTools();

        @WithDefault("false")
        boolean llmInvocationParameters();
    }
}

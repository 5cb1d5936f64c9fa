package dev.ollamachat.ollama;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
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
import dev.ollamachat.config.ChatConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.resteasy.reactive.client.api.QuarkusRestClientProperties;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Streams one model call from Ollama as NDJSON chunks. Cancelling the returned {@link Multi} closes the HTTP
 * request to Ollama; an {@code {"error": ...}} line fails it with a problem that names Ollama.
 */
@ApplicationScoped
public class OllamaStreamingClient {

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private final ChatConfig.Ollama config;
    private final ObjectMapper json;
    private final OllamaStreamApi api;

    OllamaStreamingClient(ChatConfig config, ObjectMapper json) {
        this.config = config.ollama();
        this.json = json;
        this.api = QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create(this.config.host()))
                .connectTimeout(this.config.probeTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(this.config.timeout().toMillis(), TimeUnit.MILLISECONDS)
                // the default pool of 50 would queue the 51st concurrent stream behind the others
                .property(QuarkusRestClientProperties.CONNECTION_POOL_SIZE, this.config.maxConnections())
                // a stream's connection is closed when it ends; reusing pooled ones raced with that under load
                .property(QuarkusRestClientProperties.KEEP_ALIVE_ENABLED, false)
                .build(OllamaStreamApi.class);
    }

    public String modelName() {
        return config.model();
    }

    /** What the model is asked with, besides the messages (for the LLM span). */
    public Map<String, Object> invocationParameters() {
        Map<String, Object> parameters = new java.util.LinkedHashMap<>();
        parameters.put("model", config.model());
        config.temperature().ifPresent(t -> parameters.put("temperature", t));
        parameters.put("stream", true);
        return parameters;
    }

    public Multi<OllamaWire.Chunk> chat(List<ChatMessage> messages, List<ToolSpecification> tools) {
        OllamaWire.ChatRequest request = new OllamaWire.ChatRequest(config.model(),
                messages.stream().map(this::wire).toList(),
                tools.isEmpty() ? null : tools.stream().map(OllamaStreamingClient::wire).toList(),
                true,
                config.temperature().<Map<String, Object>>map(t -> Map.of("temperature", t)).orElse(null));
        return api.chat(request)
                .onItem().transform(this::failOnErrorLine)
                .onFailure(f -> !(f instanceof ProblemException))
                .transform(f -> OllamaFailures.translate(f, config.host(), config.model()));
    }

    private OllamaWire.Chunk failOnErrorLine(OllamaWire.Chunk chunk) {
        if (chunk.error() != null) {
            throw new ProblemException(502, "ollama-stream-error", "Ollama failed while answering",
                    "Ollama at " + config.host() + " reported: " + chunk.error());
        }
        return chunk;
    }

    OllamaWire.Message wire(ChatMessage message) {
        if (message instanceof SystemMessage system) {
            return new OllamaWire.Message("system", system.text(), null, null, null);
        }
        if (message instanceof UserMessage user) {
            return new OllamaWire.Message("user", user.singleText(), null, null, null);
        }
        if (message instanceof AiMessage ai) {
            List<OllamaWire.ToolCall> calls = ai.hasToolExecutionRequests()
                    ? ai.toolExecutionRequests().stream().map(this::wire).toList()
                    : null;
            return new OllamaWire.Message("assistant", ai.text() == null ? "" : ai.text(), calls, null, null);
        }
        if (message instanceof ToolExecutionResultMessage tool) {
            return new OllamaWire.Message("tool", tool.text(), null, tool.toolName(), tool.id());
        }
        throw new IllegalArgumentException("Ollama has no role for a " + message.type() + " message");
    }

    private OllamaWire.ToolCall wire(ToolExecutionRequest request) {
        return new OllamaWire.ToolCall(request.id(),
                new OllamaWire.Function(null, request.name(), arguments(request.arguments())));
    }

    private Map<String, Object> arguments(String arguments) {
        if (arguments == null || arguments.isBlank()) {
            return Map.of();
        }
        try {
            return json.readValue(arguments, OBJECT);
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }

    private static OllamaWire.Tool wire(ToolSpecification spec) {
        Map<String, Object> parameters = spec.parameters() == null
                ? Map.of("type", "object", "properties", Map.of())
                : JsonSchemaElementUtils.toMap(spec.parameters());
        return new OllamaWire.Tool("function",
                new OllamaWire.ToolFunction(spec.name(), spec.description(), parameters));
    }

    /** Writes tool-call arguments back to the JSON text LangChain4j keeps them as. */
    public String argumentsJson(Map<String, Object> arguments) {
        try {
            return json.writeValueAsString(arguments == null ? Map.of() : arguments);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

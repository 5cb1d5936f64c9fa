package dev.ollamachat.ollama;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** Ollama's {@code /api/chat} wire format, as its own API defines it (see docs/api.md and api/types.go). */
public final class OllamaWire {

    private OllamaWire() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ChatRequest(String model, List<Message> messages, List<Tool> tools, boolean stream,
            Map<String, Object> options) {
    }

    /** A message; {@code content} is always sent, as Ollama itself does. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Message(String role, @JsonInclude(JsonInclude.Include.ALWAYS) String content,
            @JsonProperty("tool_calls") List<ToolCall> toolCalls,
            @JsonProperty("tool_name") String toolName,
            @JsonProperty("tool_call_id") String toolCallId) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ToolCall(String id, Function function) {
    }

    /** Tool-call arguments are a JSON object on the wire, not a string. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Function(Integer index, String name, Map<String, Object> arguments) {
    }

    public record Tool(String type, ToolFunction function) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ToolFunction(String name, String description, Map<String, Object> parameters) {
    }

    /** One NDJSON line of a streamed answer; the last one has {@code done} and the token counts. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Chunk(String model, Message message, boolean done,
            @JsonProperty("done_reason") String doneReason,
            @JsonProperty("prompt_eval_count") Integer promptEvalCount,
            @JsonProperty("eval_count") Integer evalCount,
            String error) {
    }
}

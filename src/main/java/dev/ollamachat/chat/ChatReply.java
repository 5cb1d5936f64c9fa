package dev.ollamachat.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The answer to one chat message. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "ChatReply")
public record ChatReply(
        String conversationId,
        String reply,
        String model,
        List<ToolCall> toolCalls,
        TokenCounts usage,
        long durationMs,
        List<String> warnings,
        String traceId,
        String traceUrl) {

    /** Tokens Ollama counted over every model call of the turn. */
    public record TokenCounts(int inputTokens, int outputTokens) {
    }

    /** The same reply, linked to the trace it was recorded in. */
    public ChatReply withTrace(String traceId, String traceUrl) {
        return new ChatReply(conversationId, reply, model, toolCalls, usage, durationMs, warnings, traceId, traceUrl);
    }
}

package dev.ollamachat.chat;

import java.util.List;

/** The answer to one chat message. */
public record ChatReply(
        String conversationId,
        String reply,
        String model,
        List<ToolCall> toolCalls,
        TokenCounts usage,
        long durationMs,
        List<String> warnings) {

    /** Tokens Ollama counted over every model call of the turn. */
    public record TokenCounts(int inputTokens, int outputTokens) {
    }
}

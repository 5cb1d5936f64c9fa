package dev.ollamachat.chat;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** What a streamed chat turn emits, in order; each becomes one named Server-Sent Event. */
public sealed interface StreamEvent {

    /** The SSE event name. */
    @JsonIgnore
    String eventName();

    /** A piece of the reply, as Ollama sent it. */
    record Token(String text) implements StreamEvent {
        @Override
        public String eventName() {
            return "token";
        }
    }

    /** The model asked for a tool. */
    record ToolCallRequested(String name, Object arguments) implements StreamEvent {
        @Override
        public String eventName() {
            return "tool_call";
        }
    }

    /** The tool answered (or failed: then {@code error} is set and {@code result} is not). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ToolResult(String name, String result, String error) implements StreamEvent {
        @Override
        public String eventName() {
            return "tool_result";
        }
    }

    /** The last event of a stream that succeeded. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Done(String conversationId, String model, ChatReply.TokenCounts usage, long durationMs,
            Long timeToFirstTokenMs, List<String> warnings, String traceId, String traceUrl) implements StreamEvent {
        @Override
        public String eventName() {
            return "done";
        }
    }

    /** The last event of a stream that failed after it had started. */
    record Failed(int status, String title, String detail) implements StreamEvent {
        @Override
        public String eventName() {
            return "error";
        }
    }
}
